/**
 * The Kubernetes compute backend: each job runs as three Kubernetes Jobs (configure, algorithm,
 * publish) over a per-job volume, with all state in Kubernetes objects. See {@link
 * io.brizo.compute.k8s.KubernetesComputeBackend}.
 */
package io.brizo.compute.k8s;
