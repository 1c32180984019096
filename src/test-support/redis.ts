import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'

/**
 * A real Redis for the store tests: Debian's redis-server (`.ci/install-redis.sh`), started on
 * 127.0.0.1 on a free port with its stock limits and no persistence, stopped by PID.
 */
export const REDIS_SERVER = '/usr/bin/redis-server'

export interface RedisServer {
  url: string
  port: number
  pid: number
  stop(): Promise<void>
}

/** A missing server fails with the command that installs it: never a skip. */
export function requireRedis(): void {
  if (!existsSync(REDIS_SERVER)) {
    throw new Error(
      `redis-server is not installed (missing ${REDIS_SERVER}). Install it with:\n` +
        '  apt-get update && apt-get install -y --no-install-recommends redis-server   (or: npm run setup:redis)',
    )
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

export async function startRedis(port?: number): Promise<RedisServer> {
  requireRedis()
  const at = port ?? (await freePort())
  const args = ['--port', String(at), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no']
  const child: ChildProcess = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  await new Promise<void>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`redis-server did not start on ${at}: ${out}`)), 10_000)
    const onData = (d: Buffer) => {
      out += d.toString()
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`redis-server exited with ${code}: ${out}`))
    })
  })
  child.stdout?.resume()
  child.stderr?.resume()
  const pid = child.pid!
  return {
    url: `redis://127.0.0.1:${at}`,
    port: at,
    pid,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        process.kill(pid, 'SIGTERM')
      }),
  }
}
