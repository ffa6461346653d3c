package io.brizo;

import io.brizo.spi.ByteRange;
import io.brizo.spi.OutputFile;
import io.brizo.spi.StorageObject;
import java.util.function.Function;

/** An output of a compute job the caller owns: its name and size, and its bytes on demand. */
public final class ComputeResult {
    private final OutputFile file;
    private final Function<ByteRange, StorageObject> opener;

    ComputeResult(OutputFile file, Function<ByteRange, StorageObject> opener) {
        this.file = file;
        this.opener = opener;
    }

    /** {@return the output's name (relative to the outputs directory) and size} */
    public OutputFile file() {
        return file;
    }

    /** {@return {@code range} of the output, opened; the caller closes it} */
    public StorageObject open(ByteRange range) {
        return opener.apply(range);
    }
}
