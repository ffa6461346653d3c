package io.brizo.internal.asset;

import com.fasterxml.jackson.databind.JsonNode;
import io.brizo.internal.crypto.Ecies;
import io.brizo.internal.json.Json;
import io.brizo.spi.AlgorithmContainer;
import io.brizo.spi.AlgorithmMetadata;
import io.brizo.spi.AssetFile;
import io.brizo.spi.BrizoException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.web3j.crypto.ECKeyPair;

/**
 * What every asset catalogue shares about an asset's files: reading a file list, reading an
 * {@code encryptedFiles} ciphertext (the hex that {@code POST /api/v1/brizo/services/publish} and
 * Ocean Provider produce: ECIES in the eciespy / eciesjs format, to the provider's key) and
 * decrypting it into files, and reading an algorithm's container. Messages name where the thing
 * is (an asset's DID), never a URL or the decrypted content.
 */
final class EncryptedFiles {
    private EncryptedFiles() {}

    /**
     * The outcome of decrypting an asset's file list: the files, or why the asset is unusable (a
     * reason that never repeats the content).
     */
    record Opened(List<AssetFile> files, String failure) {}

    /**
     * {@return the ciphertext of an {@code "encryptedFiles"} value: hex, with or without 0x}
     *
     * @param where names the asset in messages
     * @throws BrizoException of kind CONFIGURATION if it is not hex or too short to be one
     */
    static byte[] ciphertext(JsonNode encrypted, String where) {
        String hint = " (the hex that POST /api/v1/brizo/services/publish answers, with or without 0x)";
        if (!encrypted.isTextual()) {
            throw BrizoException.configuration(where + " has \"encryptedFiles\" that are not a string" + hint);
        }
        String hex = encrypted.asText().trim();
        if (hex.startsWith("0x") || hex.startsWith("0X")) {
            hex = hex.substring(2);
        }
        byte[] bytes;
        try {
            bytes = HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw BrizoException.configuration(where + " has \"encryptedFiles\" that are not hex" + hint);
        }
        if (bytes.length <= Ecies.OVERHEAD) {
            throw BrizoException.configuration(
                    where + " has \"encryptedFiles\" too short to be an ECIES ciphertext of a file list" + hint);
        }
        return bytes;
    }

    /**
     * Decrypts an asset's file list with the provider's key. The plaintext is wiped once read.
     *
     * @param did the asset, to name it in messages
     * @param providerKey the provider's key, or null when none is configured
     * @param algorithm whether the asset is an algorithm (which must have exactly one file)
     */
    static Opened open(String did, ECKeyPair providerKey, byte[] ciphertext, boolean algorithm) {
        if (providerKey == null) {
            return new Opened(
                    null,
                    "its \"encryptedFiles\" need the provider's key to decrypt, and no PROVIDER_KEY"
                            + " (or PROVIDER_KEYFILE, PROVIDER_ENCRYPTED_KEY) is configured");
        }
        byte[] plaintext;
        try {
            plaintext = Ecies.decrypt(providerKey, ciphertext);
        } catch (Ecies.EciesException e) {
            return new Opened(
                    null,
                    "its \"encryptedFiles\" do not decrypt with this provider's key (tampered, or encrypted to"
                            + " another provider's key)");
        }
        List<AssetFile> files;
        try {
            files = fileList(plaintext, "asset " + did + ", decrypted \"encryptedFiles\"");
        } catch (BrizoException e) {
            return new Opened(null, e.getMessage().replace("asset " + did + ", ", ""));
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
        if (algorithm && files.size() != 1) {
            return new Opened(
                    null, "it is an algorithm and must have exactly one file, its code; it has " + files.size());
        }
        return new Opened(files, null);
    }

    /**
     * {@return the files of a decrypted file list: a JSON array of objects, each with a {@code
     * "url"} and optionally {@code "contentType"} and {@code "checksum"}; other attributes of
     * Ocean's DDO files ({@code index}, {@code contentLength}, ...) are ignored}
     *
     * @param where names the list in messages, which never repeat its content
     * @throws BrizoException of kind CONFIGURATION if it is not such a list
     */
    static List<AssetFile> fileList(byte[] json, String where) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw BrizoException.configuration(where + " is not JSON; expected a list of files [{\"url\": ...}]");
        }
        if (root == null || !root.isArray() || root.isEmpty()) {
            throw BrizoException.configuration(where + " is not a non-empty JSON list of files [{\"url\": ...}]");
        }
        List<AssetFile> list = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            list.add(parseFile(root.get(i), where + ", file " + i, false));
        }
        return List.copyOf(list);
    }

    /**
     * {@return one file: an object with a {@code "url"} and optionally {@code "contentType"} and
     * {@code "checksum"}}
     *
     * @param strict whether other fields are refused (a catalogue the publisher writes) or ignored
     *     (Ocean's file lists, which carry {@code index}, {@code contentLength}, ...)
     */
    static AssetFile parseFile(JsonNode f, String where, boolean strict) {
        if (f == null || !f.isObject()) {
            throw BrizoException.configuration(where + " must be an object with a \"url\"");
        }
        if (strict) {
            onlyFields(f, where, "url", "contentType", "checksum");
        }
        JsonNode url = f.get("url");
        if (url == null || !url.isTextual() || url.asText().isBlank()) {
            throw BrizoException.configuration(where + " needs a \"url\" string");
        }
        URI uri;
        try {
            uri = new URI(url.asText().trim());
        } catch (URISyntaxException ex) {
            // The URL is secret: say where it is, not what it is.
            throw BrizoException.configuration(where + " has a \"url\" that is not a valid URI");
        }
        if (uri.getScheme() == null) {
            throw BrizoException.configuration(where + " has a \"url\" without a scheme (file:, https:, s3:, ...)");
        }
        return new AssetFile(uri, text(f, "contentType", where), text(f, "checksum", where));
    }

    /**
     * {@return an algorithm's metadata, as Ocean's DDOs have it: {@code {"language", "format",
     * "version", "container": {"entrypoint", "image", "tag", "checksum"}}}, or null when absent}
     *
     * @param strict whether fields beyond these are refused (or ignored)
     * @throws BrizoException of kind CONFIGURATION if it is malformed
     */
    static AlgorithmMetadata algorithm(JsonNode algorithm, String where, boolean strict) {
        if (algorithm == null || algorithm.isNull()) {
            return null;
        }
        String at = where + ", \"algorithm\"";
        if (!algorithm.isObject()) {
            throw BrizoException.configuration(at + " must be an object with a \"container\"");
        }
        if (strict) {
            onlyFields(algorithm, at, "language", "format", "version", "container");
        }
        JsonNode container = algorithm.get("container");
        if (container == null || !container.isObject()) {
            throw BrizoException.configuration(
                    at + " needs a \"container\" object: {\"entrypoint\", \"image\", \"tag\", \"checksum\"}");
        }
        String in = at + ".container";
        if (strict) {
            onlyFields(container, in, "entrypoint", "image", "tag", "checksum");
        }
        String checksum = text(container, "checksum", in);
        if (checksum != null && !AlgorithmContainer.isDigest(checksum)) {
            throw BrizoException.configuration(
                    in + " has a \"checksum\" that is not an image digest (sha256: and 64 lowercase hex digits)");
        }
        try {
            return new AlgorithmMetadata(
                    text(algorithm, "language", at),
                    text(algorithm, "version", at),
                    new AlgorithmContainer(
                            text(container, "image", in),
                            text(container, "tag", in),
                            checksum,
                            Objects.requireNonNullElse(text(container, "entrypoint", in), "")));
        } catch (IllegalArgumentException e) {
            throw BrizoException.configuration(in + " is invalid: " + e.getMessage());
        }
    }

    /** Refuses fields of {@code object} not in {@code allowed}. */
    static void onlyFields(JsonNode object, String where, String... allowed) {
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String n = names.next();
            if (!List.of(allowed).contains(n)) {
                throw BrizoException.configuration(
                        where + " has the unknown field \"" + n + "\"; allowed: " + String.join(", ", allowed));
            }
        }
    }

    /** {@return a string field, or null when absent or null} */
    static String text(JsonNode f, String field, String where) {
        JsonNode n = f.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw BrizoException.configuration(where + " has a \"" + field + "\" that is not a string");
        }
        return n.asText();
    }
}
