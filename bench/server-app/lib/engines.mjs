import { createCookieman } from 'next-cookieman'
import { ENGINES } from './config.mjs'

export const engines = {
  plain: createCookieman(ENGINES.plain),
  deflate: createCookieman(ENGINES.deflate),
}
