/**
 * The {@code ipfs} storage driver: {@code ipfs://<cid>[/path]} locations read through an HTTP
 * gateway with the trustless gateway protocol, every block verified against its CID before any
 * of its bytes is passed on. Only {@link io.brizo.storage.ipfs.IpfsStorageDriverFactory} is
 * public, so that {@link java.util.ServiceLoader} can create it; everything else is internal.
 */
package io.brizo.storage.ipfs;
