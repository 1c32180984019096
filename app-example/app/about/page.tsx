// A page Next prerenders at build time (no dynamic API): served with `s-maxage=31536000`, so a CDN
// may keep it. The proxy still runs in front of it, and a response where it sets or deletes a session
// cookie says `Cache-Control: private, no-store` instead.
export const dynamic = 'force-static'

export default function About() {
  return (
    <main>
      <h1>About this example</h1>
      <p className="lede">
        A cart that lives entirely in cookies. This page is prerendered; the <a href="/">cart</a> is not.
      </p>
    </main>
  )
}
