'use client'

import { useEffect } from 'react'

/**
 * Stands in for the app's other cookies (analytics, preferences): with `?others=N` in the URL, the
 * page's own script sets N cookies of 1 KB. The session's budget shrinks to make room for them.
 */
export function OtherCookies() {
  useEffect(() => {
    const n = Number(new URLSearchParams(window.location.search).get('others') ?? 0)
    for (let i = 0; i < Math.min(n, 20); i++) {
      document.cookie = `pref${i}=${'p'.repeat(1000)}; Path=/; Max-Age=3600; SameSite=Lax`
    }
    if (n > 0) document.documentElement.dataset['otherCookies'] = String(n)
  }, [])
  return null
}
