// Shared helpers for integration tests: a real skiff server per test file, the real kubectl, and
// raw HTTPS requests/watches as the admin.
export { startTestServer, makeTempDir, REPO_ROOT, type TestServer, type TestServerOptions } from './server.js';
export { kubectl, kubectlOk, kubectlPath, KUBECTL_VERSIONS, type KubectlResult, type KubectlOptions, type KubectlVersion } from './kubectl.js';
export { credentialsFrom, request, watch, type Credentials, type HttpResponse, type EventStream, type RequestOptions } from './http.js';
