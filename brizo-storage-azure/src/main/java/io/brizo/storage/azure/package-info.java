/** Storage driver for azure; filled by a later issue. */
package io.brizo.storage.azure;
