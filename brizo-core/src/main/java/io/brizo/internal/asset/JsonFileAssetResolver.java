package io.brizo.internal.asset;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.brizo.internal.CoreSettings;
import io.brizo.internal.RequestFields;
import io.brizo.internal.json.Json;
import io.brizo.internal.util.WatchedFile;
import io.brizo.spi.AlgorithmContainer;
import io.brizo.spi.AlgorithmMetadata;
import io.brizo.spi.Asset;
import io.brizo.spi.AssetFile;
import io.brizo.spi.AssetResolver;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default asset catalogue: a JSON file of the form {@code {"did:op:<64 hex>":
 * {"files": [{"url": "file:///data/a.csv", "contentType": "text/csv", "checksum": "sha256:..."}],
 * "timeout": 86400}}} ({@code timeout}: seconds an agreement lasts after it was made on chain; 0
 * or absent = forever). An asset may name its {@code "publisher"} (an address), and an algorithm
 * carries, as in Ocean's DDOs, {@code "algorithm": {"language": "python", "version": "3.12",
 * "container": {"entrypoint": "python $ALGO", "image": "python", "tag": "3.12", "checksum":
 * "sha256:<image digest>"}}} and exactly one file, its code.
 * The file is re-read when it changes, so a publisher can add assets without a restart; a change
 * that does not parse keeps the last good catalogue and is logged.
 *
 * <p>It can {@linkplain #register register} assets (the outputs of compute jobs): the new entry
 * is added to the file's current content, written to a temporary file beside it, forced to disk
 * and renamed over it, so a reader (or a crash) sees the old or the new catalogue whole, never a
 * torn one. Registrations within this process are serialised and never lose one another; several
 * processes registering into one catalogue file is not supported (one could overwrite another's
 * entry), nor is a publisher editing the file while registrations run.
 */
public final class JsonFileAssetResolver implements AssetResolver {
    private static final Logger LOG = LoggerFactory.getLogger(JsonFileAssetResolver.class);
    private final WatchedFile<Map<String, Asset>> file;

    /**
     * Loads the catalogue.
     *
     * @throws BrizoException of kind CONFIGURATION if the file is missing or malformed
     */
    public JsonFileAssetResolver(Path path) {
        this(path, CoreSettings.DEFAULT_RELOAD_INTERVAL);
    }

    /**
     * Loads the catalogue, and checks it for changes at most once per {@code checkInterval} (zero:
     * on every lookup).
     *
     * @throws BrizoException of kind CONFIGURATION if it is missing or malformed
     */
    public JsonFileAssetResolver(Path path, Duration checkInterval) {
        this.file = new WatchedFile<>(path, "BRIZO_ASSETS", JsonFileAssetResolver::parse, checkInterval);
    }

    @Override
    public Optional<Asset> resolve(String did) {
        return Optional.ofNullable(file.get().get(did));
    }

    /** {@return true: this catalogue registers assets into its file} */
    @Override
    public boolean canRegister() {
        return true;
    }

    /**
     * Adds {@code asset} to the catalogue file atomically (see the class comment) and serves it at
     * once. The file is read afresh first, so entries the publisher added since the last reload
     * are kept.
     *
     * @throws BrizoException CONFLICT when another asset is under its DID; CONFIGURATION when the
     *     file on disk does not parse now (it is left as it is); UNAVAILABLE when it cannot be
     *     read or written
     */
    @Override
    public void register(Asset asset) {
        Objects.requireNonNull(asset, "asset");
        String name = file.path().getFileName().toString();
        boolean added = file.update("the asset catalogue", content -> {
            Asset existing = parse(content, name).get(asset.did());
            if (existing != null) {
                if (existing.equals(asset)) {
                    return null;
                }
                throw new BrizoException(
                        ErrorKind.CONFLICT, "another asset is already registered under " + asset.did());
            }
            // Parsed above, so an object: the publisher's own fields are kept as they are.
            ObjectNode root = (ObjectNode) Json.readTree(content);
            root.set(asset.did(), toJson(asset));
            return Json.prettyBytes(root);
        });
        if (added) {
            LOG.info(
                    "asset {} registered in {} ({} files)",
                    asset.did(),
                    name,
                    asset.files().size());
        }
    }

    /** {@return the catalogue entry of {@code asset}, in the form {@link #parse} reads} */
    static ObjectNode toJson(Asset asset) {
        ObjectNode entry = Json.MAPPER.createObjectNode();
        ArrayNode files = entry.putArray("files");
        for (AssetFile f : asset.files()) {
            ObjectNode file = files.addObject().put("url", f.url().toString());
            putIfPresent(file, "contentType", f.contentType());
            putIfPresent(file, "checksum", f.checksum());
        }
        if (!asset.timeout().isZero()) {
            entry.put("timeout", asset.timeout().toSeconds());
        }
        putIfPresent(entry, "publisher", asset.publisher());
        AlgorithmMetadata algorithm = asset.algorithm();
        if (algorithm != null) {
            ObjectNode a = entry.putObject("algorithm");
            putIfPresent(a, "language", algorithm.language());
            putIfPresent(a, "version", algorithm.version());
            AlgorithmContainer c = algorithm.container();
            ObjectNode container = a.putObject("container");
            container.put("entrypoint", c.entrypoint());
            putIfPresent(container, "image", c.image());
            putIfPresent(container, "tag", c.tag());
            putIfPresent(container, "checksum", c.digest());
        }
        return entry;
    }

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    static Map<String, Asset> parse(byte[] content, String fileName) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(content);
        } catch (JsonProcessingException e) {
            throw BrizoException.configuration("the assets file " + fileName + " is not valid JSON (line "
                    + e.getLocation().getLineNr() + "); expected {\"did:op:<64 hex>\": {\"files\": [...]}}");
        } catch (IOException e) {
            throw BrizoException.configuration("cannot read the assets file " + fileName);
        }
        if (root == null || !root.isObject()) {
            throw BrizoException.configuration("the assets file " + fileName + " must hold a JSON object keyed by DID");
        }
        Map<String, Asset> assets = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            String did = e.getKey();
            String where = "asset " + did + " in " + fileName;
            if (!Asset.isDid(did)) {
                throw BrizoException.configuration("the assets file " + fileName + " has the key '" + did
                        + "', which is not a DID: use did:op: and 64 lowercase hex digits");
            }
            JsonNode asset = e.getValue();
            if (!asset.isObject()) {
                throw BrizoException.configuration(where + " must be an object with \"files\"");
            }
            onlyFields(asset, where, "files", "timeout", "publisher", "algorithm");
            JsonNode files = asset.get("files");
            if (files == null || !files.isArray()) {
                throw BrizoException.configuration(where + " needs a \"files\" array");
            }
            List<AssetFile> list = new ArrayList<>();
            for (int i = 0; i < files.size(); i++) {
                list.add(parseFile(files.get(i), where + ", file " + i));
            }
            AlgorithmMetadata algorithm = algorithm(asset.get("algorithm"), where);
            if (algorithm != null && list.size() != 1) {
                throw BrizoException.configuration(
                        where + " is an algorithm and must have exactly one file, its code; it has " + list.size());
            }
            assets.put(
                    did,
                    new Asset(did, list, timeout(asset.get("timeout"), where), publisher(asset, where), algorithm));
        }
        return Map.copyOf(assets);
    }

    private static Duration timeout(JsonNode timeout, String where) {
        if (timeout == null || timeout.isNull()) {
            return Duration.ZERO;
        }
        if (!timeout.canConvertToLong() || !timeout.isIntegralNumber() || timeout.asLong() < 0) {
            throw BrizoException.configuration(
                    where + " has a \"timeout\" that is not a whole number of seconds >= 0 (0 = never expires)");
        }
        return Duration.ofSeconds(timeout.asLong());
    }

    private static String publisher(JsonNode asset, String where) {
        String publisher = text(asset, "publisher", where);
        if (publisher != null && !RequestFields.isAddress(publisher)) {
            throw BrizoException.configuration(where + " has a \"publisher\" that is not an address (0x and 40 hex)");
        }
        return publisher;
    }

    private static AlgorithmMetadata algorithm(JsonNode algorithm, String where) {
        if (algorithm == null || algorithm.isNull()) {
            return null;
        }
        String at = where + ", \"algorithm\"";
        if (!algorithm.isObject()) {
            throw BrizoException.configuration(at + " must be an object with a \"container\"");
        }
        onlyFields(algorithm, at, "language", "format", "version", "container");
        JsonNode container = algorithm.get("container");
        if (container == null || !container.isObject()) {
            throw BrizoException.configuration(
                    at + " needs a \"container\" object: {\"entrypoint\", \"image\", \"tag\", \"checksum\"}");
        }
        String in = at + ".container";
        onlyFields(container, in, "entrypoint", "image", "tag", "checksum");
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

    private static void onlyFields(JsonNode object, String where, String... allowed) {
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String n = names.next();
            if (!List.of(allowed).contains(n)) {
                throw BrizoException.configuration(
                        where + " has the unknown field \"" + n + "\"; allowed: " + String.join(", ", allowed));
            }
        }
    }

    private static AssetFile parseFile(JsonNode f, String where) {
        if (f == null || !f.isObject()) {
            throw BrizoException.configuration(where + " must be an object with a \"url\"");
        }
        onlyFields(f, where, "url", "contentType", "checksum");
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

    private static String text(JsonNode f, String field, String where) {
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
