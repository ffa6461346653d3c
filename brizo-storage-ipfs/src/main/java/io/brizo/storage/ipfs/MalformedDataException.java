package io.brizo.storage.ipfs;

/**
 * Bytes that do not decode as the format they should have (a CID, a multihash, a dag-pb node, a
 * UnixFS message). Internal: the driver turns it into a {@code BrizoException} whose message says
 * which kind of data was wrong, never where it came from.
 */
final class MalformedDataException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MalformedDataException(String message) {
        super(message);
    }
}
