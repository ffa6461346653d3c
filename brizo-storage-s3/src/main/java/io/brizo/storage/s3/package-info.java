/**
 * The {@code s3} storage driver: {@code s3://bucket/key} locations on Amazon S3 and S3-compatible
 * stores. Only {@link io.brizo.storage.s3.S3StorageDriverFactory} is public, so that {@link
 * java.util.ServiceLoader} can create it; the driver itself is package-private and no AWS type
 * appears in a public signature.
 */
package io.brizo.storage.s3;
