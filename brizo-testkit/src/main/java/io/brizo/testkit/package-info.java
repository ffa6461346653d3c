/**
 * Test support for Brizo driver authors: the {@link io.brizo.testkit.StorageDriverContract}
 * suite that every {@link io.brizo.spi.StorageDriver} should pass, and an in-memory fake driver.
 */
package io.brizo.testkit;
