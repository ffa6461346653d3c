/** The service-provider interfaces: storage drivers, agreement verifiers, compute backends, and their values. */
package io.brizo.spi;
