package io.brizo;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.ObjectInfo;
import io.brizo.spi.StorageDriver;
import io.brizo.spi.StorageObject;
import java.io.IOException;
import java.net.URI;
import java.util.Optional;

/**
 * A file the consumer has been authorised to read. It knows the file's size, type and public
 * name, never shows where the file is stored, and opens the bytes on demand.
 */
public final class ConsumableFile {
    private final String did;
    private final int index;
    private final String fileName;
    private final String contentType;
    private final ObjectInfo info;
    private final StorageDriver driver;
    private final URI location;

    ConsumableFile(
            String did,
            int index,
            String fileName,
            String contentType,
            ObjectInfo info,
            StorageDriver driver,
            URI location) {
        this.did = did;
        this.index = index;
        this.fileName = fileName;
        this.contentType = contentType;
        this.info = info;
        this.driver = driver;
        this.location = location;
    }

    /** {@return the asset's DID} */
    public String did() {
        return did;
    }

    /** {@return the file's index within the asset} */
    public int index() {
        return index;
    }

    /** {@return the file name to offer the consumer: the last segment of the stored name only} */
    public String fileName() {
        return fileName;
    }

    /** {@return the content type: the published one, else the store's, else octet-stream} */
    public String contentType() {
        return contentType;
    }

    /** {@return the file's size in bytes} */
    public long size() {
        return info.size();
    }

    /** {@return the store's entity tag, if any} */
    public Optional<String> etag() {
        return info.etag();
    }

    /**
     * {@return the absolute part of the file {@code range} asks for}
     *
     * @throws io.brizo.spi.BrizoException of kind RANGE_NOT_SATISFIABLE if it lies outside
     */
    public ByteRange.Slice resolve(ByteRange range) {
        return range.resolve(info.size());
    }

    /**
     * Opens {@code range} of the file for reading. The stream throws if the store fails midway;
     * it never ends early without an error. The caller closes the result.
     */
    public StorageObject open(ByteRange range) {
        StorageObject object = driver.open(location, range);
        if (object.slice().totalSize() != info.size()) {
            // The object changed between stat and open: its length no longer matches what was
            // promised in headers, so refuse rather than send a mix.
            try {
                object.close();
            } catch (IOException ignored) {
                // Closing a stream we will not read; nothing to recover.
            }
            throw new BrizoException(
                    ErrorKind.CONFLICT, "the file changed while it was being opened; try again", null, true);
        }
        return object;
    }

    @Override
    public String toString() {
        return "ConsumableFile{did=" + did + ", index=" + index + ", size=" + info.size() + "}";
    }
}
