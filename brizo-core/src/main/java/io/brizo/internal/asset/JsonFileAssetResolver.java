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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.ECKeyPair;

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
 *
 * <p>An asset may carry {@code "encryptedFiles": "<hex>"} instead of {@code "files"}: its file
 * list as JSON ({@code [{"url": ..., "contentType": ..., "checksum": ...}]}, other attributes of
 * Ocean's DDO files ignored), encrypted to the provider's key with ECIES (the eciespy / eciesjs
 * format that {@code POST /api/v1/brizo/services/publish} and Ocean Provider produce). It is
 * decrypted with {@code PROVIDER_KEY} when the asset is first resolved, not when the catalogue is
 * loaded, so that one entry that does not decrypt makes that asset unusable, not the whole
 * catalogue; the result is kept in memory only, for as long as the entry's ciphertext stays the
 * same, and is never logged or written back. An entry that does not decrypt (tampered, encrypted
 * to another key, no {@code PROVIDER_KEY}) answers NOT_FOUND naming the DID and the reason, never
 * the content, and is logged once at WARN the same way.
 */
public final class JsonFileAssetResolver implements AssetResolver {
    private static final Logger LOG = LoggerFactory.getLogger(JsonFileAssetResolver.class);
    private final WatchedFile<Catalogue> file;
    private final ECKeyPair providerKey;
    /** Decrypted entries by DID and ciphertext, so an edited entry is decrypted afresh. */
    private final Map<Sealed, Decrypted> decrypted = new ConcurrentHashMap<>();

    /** What the file holds: assets with plain files, and assets whose files are encrypted. */
    record Catalogue(Map<String, Asset> plain, Map<String, Sealed> sealed) {
        /** {@return whether an asset, plain or sealed, is under {@code did}} */
        boolean has(String did) {
            return plain.containsKey(did) || sealed.containsKey(did);
        }
    }

    /**
     * An asset whose files are encrypted: everything but its files, which {@code ciphertext}
     * holds.
     */
    record Sealed(Asset withoutFiles, byte[] ciphertext, String hex) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Sealed other && withoutFiles.equals(other.withoutFiles) && hex.equals(other.hex);
        }

        @Override
        public int hashCode() {
            return Objects.hash(withoutFiles, hex);
        }

        @Override
        public String toString() {
            return "Sealed[" + withoutFiles.did() + "]";
        }
    }

    /** The outcome of decrypting one sealed entry: the asset, or why it is unusable. */
    private record Decrypted(Asset asset, String failure) {}

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
        this(path, checkInterval, null);
    }

    /**
     * Loads the catalogue, checks it for changes at most once per {@code checkInterval}, and
     * decrypts the {@code encryptedFiles} of its assets with {@code providerKey}.
     *
     * @param providerKey the provider's key ({@code PROVIDER_KEY}); {@code null} when none is
     *     configured, and then an asset with {@code encryptedFiles} answers NOT_FOUND saying so
     * @throws BrizoException of kind CONFIGURATION if it is missing or malformed
     */
    public JsonFileAssetResolver(Path path, Duration checkInterval, ECKeyPair providerKey) {
        this.file = new WatchedFile<>(path, "BRIZO_ASSETS", JsonFileAssetResolver::parseCatalogue, checkInterval);
        this.providerKey = providerKey;
    }

    /**
     * {@inheritDoc}
     *
     * @throws BrizoException NOT_FOUND, naming the DID, when the asset's {@code encryptedFiles} do
     *     not decrypt with the provider's key or are not a list of files
     */
    @Override
    public Optional<Asset> resolve(String did) {
        Catalogue catalogue = file.get();
        Asset plain = catalogue.plain().get(did);
        if (plain != null) {
            return Optional.of(plain);
        }
        Sealed sealed = catalogue.sealed().get(did);
        if (sealed == null) {
            return Optional.empty();
        }
        Decrypted d = decrypted.get(sealed);
        if (d == null) {
            d = decrypt(sealed);
            if (decrypted.size() >= 2 * catalogue.sealed().size() + 16) {
                decrypted.clear(); // entries of an older catalogue; what is current is decrypted again
            }
            Decrypted raced = decrypted.putIfAbsent(sealed, d);
            if (raced == null && d.failure() != null) {
                LOG.warn("asset {} is unusable: {}", did, d.failure());
            }
        }
        if (d.failure() != null) {
            throw BrizoException.notFound("asset " + did + " is unusable: " + d.failure());
        }
        return Optional.of(d.asset());
    }

    private Decrypted decrypt(Sealed sealed) {
        Asset a = sealed.withoutFiles();
        EncryptedFiles.Opened opened =
                EncryptedFiles.open(a.did(), providerKey, sealed.ciphertext(), a.algorithm() != null);
        if (opened.failure() != null) {
            return new Decrypted(null, opened.failure());
        }
        return new Decrypted(new Asset(a.did(), opened.files(), a.timeout(), a.publisher(), a.algorithm()), null);
    }

    /**
     * {@return the files of a decrypted file list: a JSON array of objects, each with a {@code
     * "url"} and optionally {@code "contentType"} and {@code "checksum"}; other attributes of
     * Ocean's DDO files ({@code index}, {@code contentLength}, ...) are ignored}
     *
     * @param where names the list in messages, which never repeat its content
     * @throws BrizoException of kind CONFIGURATION if it is not such a list
     */
    public static List<AssetFile> fileList(byte[] json, String where) {
        return EncryptedFiles.fileList(json, where);
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
            Catalogue current = parseCatalogue(content, name);
            if (current.sealed().containsKey(asset.did())) {
                throw new BrizoException(
                        ErrorKind.CONFLICT, "another asset is already registered under " + asset.did());
            }
            Asset existing = current.plain().get(asset.did());
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

    /** {@return the assets of the file with plain files; see {@link #parseCatalogue}} */
    static Map<String, Asset> parse(byte[] content, String fileName) {
        return parseCatalogue(content, fileName).plain();
    }

    static Catalogue parseCatalogue(byte[] content, String fileName) {
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
        Map<String, Sealed> sealed = new HashMap<>();
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
            EncryptedFiles.onlyFields(asset, where, "files", "encryptedFiles", "timeout", "publisher", "algorithm");
            JsonNode files = asset.get("files");
            JsonNode encrypted = asset.get("encryptedFiles");
            if (files != null && encrypted != null) {
                throw BrizoException.configuration(
                        where + " has both \"files\" and \"encryptedFiles\"; keep one of them");
            }
            AlgorithmMetadata algorithm = EncryptedFiles.algorithm(asset.get("algorithm"), where, true);
            if (encrypted != null) {
                byte[] ciphertext = EncryptedFiles.ciphertext(encrypted, where);
                sealed.put(
                        did,
                        new Sealed(
                                new Asset(
                                        did,
                                        List.of(),
                                        timeout(asset.get("timeout"), where),
                                        publisher(asset, where),
                                        algorithm),
                                ciphertext,
                                HexFormat.of().formatHex(ciphertext)));
                continue;
            }
            if (files == null || !files.isArray()) {
                throw BrizoException.configuration(where + " needs a \"files\" array (or \"encryptedFiles\")");
            }
            List<AssetFile> list = new ArrayList<>();
            for (int i = 0; i < files.size(); i++) {
                list.add(EncryptedFiles.parseFile(files.get(i), where + ", file " + i, true));
            }
            if (algorithm != null && list.size() != 1) {
                throw BrizoException.configuration(
                        where + " is an algorithm and must have exactly one file, its code; it has " + list.size());
            }
            assets.put(
                    did,
                    new Asset(did, list, timeout(asset.get("timeout"), where), publisher(asset, where), algorithm));
        }
        return new Catalogue(Map.copyOf(assets), Map.copyOf(sealed));
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
        String publisher = EncryptedFiles.text(asset, "publisher", where);
        if (publisher != null && !RequestFields.isAddress(publisher)) {
            throw BrizoException.configuration(where + " has a \"publisher\" that is not an address (0x and 40 hex)");
        }
        return publisher;
    }
}
