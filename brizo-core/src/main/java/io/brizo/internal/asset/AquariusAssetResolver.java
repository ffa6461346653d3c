package io.brizo.internal.asset;

import com.fasterxml.jackson.databind.JsonNode;
import io.brizo.internal.RequestFields;
import io.brizo.internal.json.Json;
import io.brizo.spi.AlgorithmMetadata;
import io.brizo.spi.Asset;
import io.brizo.spi.AssetResolver;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
 * Assets from an Aquarius-style metadata store ({@code AQUARIUS_URL}): the DDO of a DID is {@code
 * GET {AQUARIUS_URL}/api/v1/aquarius/assets/ddo/{did}}, in the format of Ocean's DDOs that the
 * Python Brizo served (v0.9): a {@code service} list whose {@code metadata} service has the public
 * file metadata in {@code attributes.main.files} (no URLs) and the file list, encrypted to the
 * provider's key, in {@code attributes.encryptedFiles}; whose {@code access} and {@code compute}
 * services have the agreement timeout in {@code attributes.main.timeout} (seconds; the shorter
 * one applies when both have one, since an asset has one timeout here); the publisher is the
 * address in {@code publicKey[].owner}, else {@code proof.creator}. An algorithm's DDO has {@code
 * attributes.main.type: "algorithm"} and {@code attributes.main.algorithm: {language, format,
 * version, container: {entrypoint, image, tag, checksum}}}, and exactly one file, its code.
 *
 * <p>Each DDO is kept for a time to live ({@code AQUARIUS_CACHE_TTL}), and so is the store's
 * answer that it has none (404: the asset is not served here). The decrypted files are kept in
 * memory only, and reused while a fetched DDO carries the same ciphertext. A store that cannot be
 * reached, answers 5xx (or anything but 200 and 404) or does not answer in time is UNAVAILABLE and
 * retryable, never an empty asset, and such failures are not cached. A DDO that does not parse,
 * or whose {@code encryptedFiles} do not decrypt, answers NOT_FOUND naming the DID and the reason,
 * never the content; it is logged once per fetch at WARN the same way. File URLs are never logged.
 *
 * <p>Concurrent first lookups of one DID may each fetch it; the cache holds at most {@value
 * #MAX_ENTRIES} DIDs (beyond that, expired entries are dropped, then all).
 */
public final class AquariusAssetResolver implements AssetResolver {
    private static final Logger LOG = LoggerFactory.getLogger(AquariusAssetResolver.class);
    /** The store's route for one DDO, below its base URL. */
    public static final String DDO_PATH = "/api/v1/aquarius/assets/ddo/";

    static final int MAX_ENTRIES = 10_000;
    /** The largest DDO read; a bigger answer is refused as malformed. */
    static final int MAX_DDO_BYTES = 4 << 20;

    private final URI base;
    private final Duration ttl;
    private final ECKeyPair providerKey;
    private final Duration requestTimeout;
    private final Clock clock;
    private final HttpClient http;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();

    /** What the store said about one DID, when, and (for a DDO) the asset it makes. */
    private static final class Entry {
        final Instant fetched;
        /** The asset without its files, or null when the store has no DDO (404). */
        final Asset withoutFiles;

        final byte[] ciphertext;
        final String hex;
        /** Why the DDO is unusable; null when it is usable. */
        volatile String failure;
        /** The asset with its decrypted files, once decrypted. */
        volatile Asset asset;

        Entry(Instant fetched, Asset withoutFiles, byte[] ciphertext, String failure) {
            this.fetched = fetched;
            this.withoutFiles = withoutFiles;
            this.ciphertext = ciphertext;
            this.hex = ciphertext == null ? null : HexFormat.of().formatHex(ciphertext);
            this.failure = failure;
        }

        boolean sameDdoAs(Entry other) {
            return other != null
                    && other.asset != null
                    && Objects.equals(withoutFiles, other.withoutFiles)
                    && Objects.equals(hex, other.hex);
        }
    }

    /**
     * Creates a resolver for the store at {@code base}, with a 5 s connect and 10 s request
     * timeout.
     *
     * @param base the store's base URL ({@code AQUARIUS_URL}), http or https
     * @param ttl how long a DDO (or the store's 404) is kept; zero = asked on every lookup
     * @param providerKey the provider's key, to decrypt {@code encryptedFiles}; null when none is
     *     configured (such assets then answer NOT_FOUND saying so)
     */
    public AquariusAssetResolver(URI base, Duration ttl, ECKeyPair providerKey) {
        this(base, ttl, providerKey, Duration.ofSeconds(5), Duration.ofSeconds(10), Clock.systemUTC());
    }

    AquariusAssetResolver(
            URI base,
            Duration ttl,
            ECKeyPair providerKey,
            Duration connectTimeout,
            Duration requestTimeout,
            Clock clock) {
        String b = Objects.requireNonNull(base, "base").toString();
        this.base = URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
        this.ttl = Objects.requireNonNull(ttl, "ttl");
        this.providerKey = providerKey;
        this.requestTimeout = requestTimeout;
        this.clock = clock;
        this.http = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        // The store's URL may carry credentials (user:password@host): those are never logged.
        String shown = this.base.getRawUserInfo() == null
                ? this.base.toString()
                : this.base.toString().replace(this.base.getRawUserInfo() + "@", "***@");
        LOG.info("assets from the metadata store at {} (DDOs kept {})", shown, ttl);
    }

    /**
     * {@inheritDoc}
     *
     * @throws BrizoException UNAVAILABLE (retryable) when the store cannot be asked now; NOT_FOUND,
     *     naming the DID, when its DDO does not parse or its files do not decrypt
     */
    @Override
    public Optional<Asset> resolve(String did) {
        Objects.requireNonNull(did, "did");
        if (!Asset.isDid(did)) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Entry e = cache.get(did);
        if (e == null || !now.isBefore(e.fetched.plus(ttl))) {
            Entry previous = e;
            e = fetch(did, now);
            if (e.sameDdoAs(previous)) {
                e.asset = previous.asset;
            }
            if (cache.size() >= MAX_ENTRIES) {
                cache.values().removeIf(old -> !now.isBefore(old.fetched.plus(ttl)));
                if (cache.size() >= MAX_ENTRIES) {
                    cache.clear();
                }
            }
            cache.put(did, e);
        }
        if (e.withoutFiles == null && e.failure == null) {
            return Optional.empty();
        }
        if (e.asset == null && e.failure == null) {
            decrypt(did, e);
        }
        if (e.failure != null) {
            throw BrizoException.notFound("asset " + did + " is unusable: " + e.failure);
        }
        return Optional.of(e.asset);
    }

    private void decrypt(String did, Entry e) {
        Asset a = e.withoutFiles;
        EncryptedFiles.Opened opened = EncryptedFiles.open(did, providerKey, e.ciphertext, a.algorithm() != null);
        if (opened.failure() != null) {
            e.failure = opened.failure();
            LOG.warn("asset {} is unusable: {}", did, opened.failure());
            return;
        }
        e.asset = new Asset(did, opened.files(), a.timeout(), a.publisher(), a.algorithm());
    }

    private Entry fetch(String did, Instant now) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + DDO_PATH + did))
                .timeout(requestTimeout)
                .header("Accept", "application/json")
                .GET()
                .build();
        HttpResponse<InputStream> response;
        byte[] body;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                if (response.statusCode() != 200) {
                    body = null;
                } else {
                    body = in.readNBytes(MAX_DDO_BYTES + 1);
                }
            }
        } catch (HttpTimeoutException ex) {
            throw unavailable(did, "did not answer within " + requestTimeout.toMillis() + " ms");
        } catch (IOException ex) {
            throw unavailable(did, "cannot be reached (" + ex.getClass().getSimpleName() + ")");
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw unavailable(did, "was not asked: interrupted");
        }
        int status = response.statusCode();
        if (status == 404) {
            return new Entry(now, null, null, null);
        }
        if (status != 200) {
            throw unavailable(did, "answered HTTP " + status);
        }
        if (body.length > MAX_DDO_BYTES) {
            return failed(did, now, "its DDO from the metadata store is larger than " + MAX_DDO_BYTES + " bytes");
        }
        try {
            Parsed p = parse(did, body);
            return new Entry(now, p.withoutFiles(), p.ciphertext(), null);
        } catch (BrizoException ex) {
            return failed(did, now, ex.getMessage().replace("asset " + did + ": ", ""));
        }
    }

    private static Entry failed(String did, Instant now, String failure) {
        LOG.warn("asset {} is unusable: {}", did, failure);
        return new Entry(now, null, null, failure);
    }

    private BrizoException unavailable(String did, String why) {
        return new BrizoException(
                ErrorKind.UNAVAILABLE, "the metadata store " + why + " when asked for " + did + "; try again later");
    }

    /** A DDO as this library reads it: the asset but its files, and its encrypted file list. */
    record Parsed(Asset withoutFiles, byte[] ciphertext) {}

    /**
     * {@return what this library reads of a DDO in the format of Ocean's DDOs (v0.9)}
     *
     * @throws BrizoException of kind CONFIGURATION, naming the DID as {@code "asset <did>: "} and
     *     never the DDO's content, when it does not parse
     */
    static Parsed parse(String did, byte[] body) {
        String ddo = "its DDO from the metadata store";
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (IOException ex) {
            throw malformed(did, ddo + " is not JSON");
        }
        if (root == null || !root.isObject()) {
            throw malformed(did, ddo + " is not a JSON object");
        }
        JsonNode id = root.get("id");
        if (id == null || !id.isTextual() || !id.asText().equalsIgnoreCase(did)) {
            throw malformed(did, ddo + " has no \"id\" or another DID's");
        }
        JsonNode services = root.get("service");
        if (services == null || !services.isArray()) {
            throw malformed(did, ddo + " has no \"service\" list");
        }
        JsonNode metadata = null;
        Duration timeout = null;
        for (JsonNode s : services) {
            String type = s.path("type").asText("");
            JsonNode attributes = s.path("attributes");
            switch (type) {
                case "metadata" -> {
                    if (metadata != null) {
                        throw malformed(did, ddo + " has more than one \"metadata\" service");
                    }
                    metadata = attributes;
                }
                case "access", "compute" -> {
                    Duration t = timeout(attributes.path("main").get("timeout"), did, ddo, type);
                    timeout = shorter(timeout, t);
                }
                default -> {}
            }
        }
        if (metadata == null || !metadata.isObject()) {
            throw malformed(did, ddo + " has no \"metadata\" service with \"attributes\"");
        }
        JsonNode encrypted = metadata.get("encryptedFiles");
        if (encrypted == null || encrypted.isNull()) {
            throw malformed(did, ddo + " has no \"encryptedFiles\" in its metadata service");
        }
        byte[] ciphertext;
        AlgorithmMetadata algorithm = null;
        try {
            ciphertext = EncryptedFiles.ciphertext(encrypted, ddo);
            JsonNode main = metadata.path("main");
            if ("algorithm".equals(main.path("type").asText(null))) {
                algorithm = EncryptedFiles.algorithm(main.get("algorithm"), ddo + ", metadata main", false);
                if (algorithm == null) {
                    throw BrizoException.configuration(
                            ddo + " is of type algorithm and has no \"algorithm\" in its metadata main attributes");
                }
            }
        } catch (BrizoException ex) {
            throw malformed(did, ex.getMessage());
        }
        return new Parsed(
                new Asset(did, List.of(), timeout == null ? Duration.ZERO : timeout, publisher(root), algorithm),
                ciphertext);
    }

    /** {@return the shorter of two timeouts, where zero is forever and null is none} */
    private static Duration shorter(Duration a, Duration b) {
        if (a == null || a.isZero()) {
            return b == null ? a : b;
        }
        if (b == null || b.isZero()) {
            return a;
        }
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration timeout(JsonNode t, String did, String ddo, String service) {
        if (t == null || t.isNull()) {
            return null;
        }
        long seconds;
        if (t.isIntegralNumber() && t.canConvertToLong()) {
            seconds = t.asLong();
        } else if (t.isTextual() && t.asText().trim().matches("\\d{1,18}")) {
            seconds = Long.parseLong(t.asText().trim());
        } else {
            seconds = -1;
        }
        if (seconds < 0) {
            throw malformed(
                    did, ddo + " has an " + service + " service whose \"timeout\" is not a whole number of seconds");
        }
        return Duration.ofSeconds(seconds);
    }

    /** {@return the publisher's address: an address in publicKey[].owner, else proof.creator} */
    private static String publisher(JsonNode root) {
        for (JsonNode key : root.path("publicKey")) {
            String owner = key.path("owner").asText("");
            if (RequestFields.isAddress(owner)) {
                return owner;
            }
        }
        String creator = root.path("proof").path("creator").asText("");
        return RequestFields.isAddress(creator) ? creator : null;
    }

    private static BrizoException malformed(String did, String why) {
        return BrizoException.configuration("asset " + did + ": " + why);
    }

    /** {@return the store's base URL} */
    public URI base() {
        return base;
    }
}
