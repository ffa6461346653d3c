/** Kubernetes compute backend; filled by a later issue. */
package io.brizo.compute.k8s;
