/** Storage driver for s3; filled by a later issue. */
package io.brizo.storage.s3;
