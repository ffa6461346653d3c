package io.brizo.spi;

import java.util.Objects;

/**
 * A file a job produced.
 *
 * @param name its path relative to the outputs directory
 * @param size its size in bytes
 */
public record OutputFile(String name, long size) {
    /** Validates the file. */
    public OutputFile {
        Objects.requireNonNull(name, "name");
    }
}
