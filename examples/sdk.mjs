// Runnable example of Vigil's audit SDK.
//   npm ci && npm start            (in another terminal)
//   VIGIL_TOKEN=$(cat vigil-data/admin.token) node examples/sdk.mjs
import { createAuditClient } from 'vigil/sdk';

const audit = createAuditClient({
  url: process.env.VIGIL_URL ?? 'http://127.0.0.1:7080',
  token: process.env.VIGIL_TOKEN,
  onError: (err) => console.error('audit:', err.message),
});

audit.auth.signIn({ user: { email: 'alice@example.com', roles: ['admin'] }, ip: '203.0.113.7', userAgent: 'Mozilla/5.0' });
audit.iam.userCreated({ user: { email: 'alice@example.com' }, target: { email: 'bob@example.com' }, organization: 'acme' });
audit.file.read({ user: { email: 'ci@example.com' }, action: 'action-cache-get', organization: 'acme', digest: 'sha256:ab12' });
audit.auth.signOut({ user: { email: 'alice@example.com' }, ip: '203.0.113.7' });

await audit.close(); // sends what is queued
console.log(audit.stats()); // { sent: 4, dropped: 0, failed: 0, queued: 0 }
