/**
 * Test support for Brizo integrators: contract suites that every implementation of an extension
 * point should pass ({@link io.brizo.testkit.StorageDriverContract}, {@link
 * io.brizo.testkit.NonceStoreContract}, {@link io.brizo.testkit.AssetResolverContract}, {@link
 * io.brizo.testkit.ServiceAgreementVerifierContract}, {@link
 * io.brizo.testkit.ComputeBackendContract}), one that every binding of the HTTP API should pass
 * ({@link io.brizo.testkit.HttpBindingContract}), an in-memory fake driver, a synthetic one, and
 * helpers for end-to-end tests.
 */
package io.brizo.testkit;
