/** Storage driver for ipfs; filled by a later issue. */
package io.brizo.storage.ipfs;
