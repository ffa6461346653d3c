package io.brizo.testkit;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes the embedded defaults' JSON files (asset catalogue, development grants) for tests. */
public final class PublisherFiles {
    private PublisherFiles() {}

    /** Writes a catalogue with one asset of one file and returns {@code file}. */
    public static Path writeAsset(Path file, String did, URI url, String contentType) throws IOException {
        return Files.writeString(
                file,
                "{\"" + did + "\": {\"files\": [{\"url\": \"" + url + "\", \"contentType\": \"" + contentType
                        + "\"}]}}");
    }

    /** Writes a grants file with one access grant and returns {@code file}. */
    public static Path writeAccessGrant(Path file, String agreementId, String did, String consumer) throws IOException {
        return Files.writeString(
                file,
                "[{\"agreementId\": \"" + agreementId + "\", \"did\": \"" + did + "\", \"consumer\": \"" + consumer
                        + "\", \"service\": \"access\"}]");
    }
}
