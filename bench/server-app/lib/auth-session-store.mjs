// Auth.js's cookie chunking (SessionStore) is not in @auth/core's package exports: import the file.
export { SessionStore } from '../../node_modules/@auth/core/lib/utils/cookie.js'
