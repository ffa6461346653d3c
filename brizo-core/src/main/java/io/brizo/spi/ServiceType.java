package io.brizo.spi;

/** The service of an agreement a request claims. */
public enum ServiceType {
    /** Downloading the dataset. */
    ACCESS,
    /** Running an algorithm next to the dataset. */
    COMPUTE
}
