// The namespace controller: deleting a namespace deletes its content, then the namespace.
export { NamespaceController, KUBERNETES_FINALIZER } from './controller.js';
