/**
 * Storage driver for Azure Blob Storage: {@code https://<account>.blob.core.windows.net/<container>/<blob>}
 * locations, read with ranged GETs, written with block uploads, presigned with read-only SAS URLs.
 * Only {@link io.brizo.storage.azure.AzureBlobStorageDriverFactory} is public; it is found through
 * {@link java.util.ServiceLoader} and configured from {@link io.brizo.spi.Settings}.
 */
package io.brizo.storage.azure;
