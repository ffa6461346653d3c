package io.brizo.internal;

import io.brizo.spi.BrizoException;
import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.regex.Pattern;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;

/** The settings brizo-core itself reads, with their defaults. */
public final class CoreSettings {
    /** Assets catalogue file. */
    public static final SettingKey ASSETS = SettingKey.of(
            "BRIZO_ASSETS", null, "JSON file mapping each DID to its files (the embedded asset catalogue)");
    /** Metadata store. */
    public static final SettingKey AQUARIUS_URL = SettingKey.of(
            "AQUARIUS_URL",
            null,
            "base URL of an Aquarius-style metadata store: each asset's DDO is GET"
                    + " {AQUARIUS_URL}/api/v1/aquarius/assets/ddo/{did}, its files its encryptedFiles (decrypted with"
                    + " PROVIDER_KEY); with BRIZO_ASSETS as well, that file is asked first");
    /** {@link #AQUARIUS_CACHE_TTL}'s default. */
    public static final Duration DEFAULT_AQUARIUS_CACHE_TTL = Duration.ofSeconds(60);
    /** How long DDOs from the metadata store are kept. */
    public static final SettingKey AQUARIUS_CACHE_TTL = SettingKey.of(
            "AQUARIUS_CACHE_TTL",
            "60s",
            "how long a DDO from AQUARIUS_URL (or its answer that it has none) is kept before it is asked"
                    + " again; 0 = on every request");
    /** {@link #RELOAD_INTERVAL}'s default. */
    public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(1);

    /** How often the watched configuration files are checked for changes. */
    public static final SettingKey RELOAD_INTERVAL = SettingKey.of(
            "BRIZO_RELOAD_INTERVAL",
            "1s",
            "how often, at most, the BRIZO_ASSETS and BRIZO_GRANTS files are checked for changes (an edit is"
                    + " served within this long); 0 = on every request");
    /** Nonce journal file. */
    public static final SettingKey NONCE_FILE = SettingKey.of(
            "BRIZO_NONCE_FILE",
            null,
            "file that keeps the last nonce of each consumer across restarts; unset = memory only");
    /** Nonce-only switch. */
    public static final SettingKey NONCE_REQUIRED = SettingKey.of(
            "BRIZO_NONCE_REQUIRED", "false", "accept only replay-safe nonce signatures, refuse the Brizo form");
    /** Legacy url switch. */
    public static final SettingKey ALLOW_URL_PARAMETER = SettingKey.of(
            "BRIZO_ALLOW_URL_PARAMETER",
            "false",
            "accept the old squid-java consume form with a url parameter (only a file of the agreement's own asset)");
    /** First line of the auth token message. */
    public static final SettingKey AUTH_TOKEN_MESSAGE = SettingKey.of(
            "BRIZO_AUTH_TOKEN_MESSAGE",
            "Ocean Protocol Authentication",
            "first line of the message an auth token signs: \"<line>\\n<unix seconds>\"");
    /** Auth token lifetime. */
    public static final SettingKey AUTH_TOKEN_LIFETIME = SettingKey.of(
            "BRIZO_AUTH_TOKEN_LIFETIME", "24h", "how long an auth token (<signature>-<unix seconds>) stays valid");
    /** Provider key. */
    public static final SettingKey PROVIDER_KEY = SettingKey.secret(
            "PROVIDER_KEY", "the provider's Ethereum private key (hex); its address is announced at GET /");
    /** Provider keystore file. */
    public static final SettingKey PROVIDER_KEYFILE = SettingKey.secret(
            "PROVIDER_KEYFILE",
            "path to the provider's Ethereum keystore (v3 JSON, as geth, web3j or ethers write it), opened with"
                    + " PROVIDER_PASSWORD; instead of PROVIDER_KEY");
    /** Provider keystore JSON. */
    public static final SettingKey PROVIDER_ENCRYPTED_KEY = SettingKey.secret(
            "PROVIDER_ENCRYPTED_KEY",
            "the provider's Ethereum keystore (v3 JSON) itself, opened with PROVIDER_PASSWORD; instead of"
                    + " PROVIDER_KEY");
    /** Provider keystore password. */
    public static final SettingKey PROVIDER_PASSWORD =
            SettingKey.secret("PROVIDER_PASSWORD", "the password of PROVIDER_KEYFILE or PROVIDER_ENCRYPTED_KEY");
    /** Provider address. */
    public static final SettingKey PROVIDER_ADDRESS = SettingKey.of(
            "PROVIDER_ADDRESS",
            null,
            "the provider's Ethereum address, when no key is given; with a key, it must be the key's address");
    /** Publishers allowed to use the publish route. */
    public static final SettingKey PUBLISHERS = SettingKey.of(
            "BRIZO_PUBLISHERS",
            null,
            "comma-separated addresses allowed to encrypt file lists with POST /api/v1/brizo/services/publish;"
                    + " unset = any publisher who signs the documentId");
    /** HTTP host. */
    public static final SettingKey HOST = SettingKey.of("BRIZO_HOST", "127.0.0.1", "address the HTTP server binds to");
    /** HTTP port. */
    public static final SettingKey PORT = SettingKey.of("BRIZO_PORT", "8030", "HTTP port; 0 picks a free port");
    /** HTTP worker threads. */
    public static final SettingKey HTTP_THREADS = SettingKey.of(
            "BRIZO_HTTP_THREADS", "64", "worker threads of the HTTP server (concurrent downloads served at once)");
    /** The server's URL as compute pods reach it. */
    public static final SettingKey PUBLIC_URL = SettingKey.of(
            "BRIZO_PUBLIC_URL",
            null,
            "http(s) base URL at which compute pods reach this server; enables single-use download links for"
                    + " inputs on storage that cannot presign");

    /** The keys that seal transfer and upload links. */
    public static final SettingKey LINK_KEYS = SettingKey.secret(
            "BRIZO_LINK_KEYS",
            "comma-separated AES-256 keys (32 bytes each, base64 or 64 hex digits) that seal the transfer and upload"
                    + " links of compute pods; the first seals, all open (rotation: add the new key second, then"
                    + " move it first, drop the old one once its links expired); the same on every replica; unset ="
                    + " a random key per process (links die with it and work only on the replica that made them)");

    /** What the HTTP API serves of its own documentation. */
    public static final SettingKey API_DOCS = SettingKey.of(
            "BRIZO_API_DOCS",
            "true",
            "true = the OpenAPI document at /spec and Swagger UI at /api/v1/docs (when org.webjars:swagger-ui is on"
                    + " the class path); spec = only the document; false = neither (both answer 404)");

    /** Where a front proxy finds the local files it may send itself. */
    public static final SettingKey ACCEL_REDIRECT = SettingKey.of(
            "BRIZO_ACCEL_REDIRECT",
            null,
            "comma-separated DIRECTORY=/internal/prefix/ pairs: a GET of a local file under DIRECTORY that came"
                    + " through a front nginx (it sends BRIZO_ACCEL_REDIRECT_KEY) is answered, once authorised, with"
                    + " X-Accel-Redirect: /internal/prefix/<path below DIRECTORY>, and nginx sends the file; unset ="
                    + " Brizo sends every byte itself");
    /** The secret by which the front proxy of {@link #ACCEL_REDIRECT} is recognised. */
    public static final SettingKey ACCEL_REDIRECT_KEY = SettingKey.secret(
            "BRIZO_ACCEL_REDIRECT_KEY",
            "at least 16 characters that the front nginx sends in the X-Brizo-Accel-Key request header"
                    + " (proxy_set_header); a request without it (or with another) gets the bytes from Brizo, so a"
                    + " consumer who reaches Brizo directly never sees an internal path; needed with"
                    + " BRIZO_ACCEL_REDIRECT");

    /** Every key above. */
    public static final List<SettingKey> ALL = List.of(
            ASSETS,
            AQUARIUS_URL,
            AQUARIUS_CACHE_TTL,
            RELOAD_INTERVAL,
            NONCE_FILE,
            NONCE_REQUIRED,
            ALLOW_URL_PARAMETER,
            AUTH_TOKEN_MESSAGE,
            AUTH_TOKEN_LIFETIME,
            PROVIDER_KEY,
            PROVIDER_KEYFILE,
            PROVIDER_ENCRYPTED_KEY,
            PROVIDER_PASSWORD,
            PROVIDER_ADDRESS,
            PUBLISHERS,
            HOST,
            PORT,
            HTTP_THREADS,
            PUBLIC_URL,
            LINK_KEYS,
            API_DOCS,
            ACCEL_REDIRECT,
            ACCEL_REDIRECT_KEY);

    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");
    /** Keys already read, per Settings (compared by identity: Settings does not override equals). */
    private static final Map<Settings, Optional<ECKeyPair>> KEYS = new WeakHashMap<>();

    private CoreSettings() {}

    /**
     * {@return how often watched configuration files are checked, from {@link #RELOAD_INTERVAL}}
     *
     * @throws BrizoException of kind CONFIGURATION if it is negative
     */
    public static Duration reloadInterval(Settings settings) {
        Duration interval = settings.getDuration(RELOAD_INTERVAL.name(), DEFAULT_RELOAD_INTERVAL);
        if (interval.isNegative()) {
            throw settings.malformed(RELOAD_INTERVAL.name(), "a duration such as 1s or 250ms, or 0");
        }
        return interval;
    }

    /**
     * {@return the metadata store's base URL, from {@link #AQUARIUS_URL}, if configured}
     *
     * @throws BrizoException of kind CONFIGURATION if it is not an absolute http(s) URL without
     *     query
     */
    public static Optional<java.net.URI> aquariusUrl(Settings settings) {
        return settings.get(AQUARIUS_URL.name()).map(u -> {
            String hint = "an absolute http(s) URL such as http://aquarius:5000";
            java.net.URI uri;
            try {
                uri = new java.net.URI(u.trim());
            } catch (java.net.URISyntaxException e) {
                throw settings.malformed(AQUARIUS_URL.name(), hint);
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https"))
                    || uri.getHost() == null
                    || uri.getRawQuery() != null
                    || uri.getRawFragment() != null) {
                throw settings.malformed(AQUARIUS_URL.name(), hint);
            }
            return uri;
        });
    }

    /**
     * {@return how long DDOs from the metadata store are kept, from {@link #AQUARIUS_CACHE_TTL}}
     *
     * @throws BrizoException of kind CONFIGURATION if it is negative
     */
    public static Duration aquariusCacheTtl(Settings settings) {
        Duration ttl = settings.getDuration(AQUARIUS_CACHE_TTL.name(), DEFAULT_AQUARIUS_CACHE_TTL);
        if (ttl.isNegative()) {
            throw settings.malformed(AQUARIUS_CACHE_TTL.name(), "a duration such as 60s or 5m, or 0");
        }
        return ttl;
    }

    /**
     * {@return the server's public base URL, if configured}
     *
     * @throws BrizoException of kind CONFIGURATION if it is not an absolute http(s) URL without query
     */
    public static Optional<java.net.URI> publicUrl(Settings settings) {
        return settings.get(PUBLIC_URL.name()).map(u -> {
            java.net.URI uri;
            try {
                uri = new java.net.URI(u.trim());
            } catch (java.net.URISyntaxException e) {
                throw settings.malformed(PUBLIC_URL.name(), "an absolute http(s) URL such as http://brizo.ns:8030");
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https"))
                    || uri.getHost() == null
                    || uri.getRawQuery() != null
                    || uri.getRawFragment() != null) {
                throw settings.malformed(PUBLIC_URL.name(), "an absolute http(s) URL such as http://brizo.ns:8030");
            }
            return uri;
        });
    }

    /** What the HTTP API serves of its own documentation ({@link #API_DOCS}). */
    public enum DocsMode {
        /** The OpenAPI document and Swagger UI. */
        ALL,
        /** Only the OpenAPI document. */
        SPEC,
        /** Neither. */
        NONE
    }

    /**
     * {@return what the HTTP API serves of its documentation, from {@link #API_DOCS}}
     *
     * @throws BrizoException of kind CONFIGURATION if it is not true, spec or false
     */
    public static DocsMode docsMode(Settings settings) {
        String value =
                settings.get(API_DOCS.name(), API_DOCS.defaultValue()).trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "true" -> DocsMode.ALL;
            case "spec" -> DocsMode.SPEC;
            case "false" -> DocsMode.NONE;
            default -> throw settings.malformed(API_DOCS.name(), "true, spec or false");
        };
    }

    /**
     * {@return the provider's key pair, from PROVIDER_KEY, PROVIDER_KEYFILE or PROVIDER_ENCRYPTED_KEY
     * (with PROVIDER_PASSWORD), if one is configured}
     *
     * @throws BrizoException of kind CONFIGURATION if more than one is set, or the one set cannot give
     *     a key (malformed, missing file, wrong password); the message never holds the key, the
     *     password or the file's path
     */
    public static Optional<ECKeyPair> providerKey(Settings settings) {
        synchronized (KEYS) {
            // A keystore's KDF is slow on purpose (scrypt with n=262144 takes about a second) and the
            // key is asked for by several components of one Brizo: open it once per Settings.
            Optional<ECKeyPair> known = KEYS.get(settings);
            if (known == null) {
                known = ProviderKeys.read(settings);
                KEYS.put(settings, known);
            }
            return known;
        }
    }

    /**
     * {@return the lowercase addresses of BRIZO_PUBLISHERS; empty when unset (any publisher)}
     *
     * @throws BrizoException of kind CONFIGURATION if one is not an address
     */
    public static java.util.Set<String> publishers(Settings settings) {
        return settings.get(PUBLISHERS.name())
                .map(v -> {
                    java.util.Set<String> out = new java.util.LinkedHashSet<>();
                    for (String a : v.split(",")) {
                        String t = a.trim();
                        if (t.isEmpty()) {
                            continue;
                        }
                        if (!ADDRESS.matcher(t).matches()) {
                            throw settings.malformed(
                                    PUBLISHERS.name(), "addresses (0x and 40 hex digits) separated by commas");
                        }
                        out.add(t.toLowerCase(Locale.ROOT));
                    }
                    if (out.isEmpty()) {
                        throw settings.malformed(
                                PUBLISHERS.name(), "at least one address, or leave it unset to allow any publisher");
                    }
                    return java.util.Set.copyOf(out);
                })
                .orElse(java.util.Set.of());
    }

    /**
     * {@return the provider's address: that of its key (see {@link #providerKey}), else
     * PROVIDER_ADDRESS}
     *
     * @throws BrizoException of kind CONFIGURATION if either is malformed or they disagree
     */
    public static Optional<String> providerAddress(Settings settings) {
        Optional<String> fromKey = providerKey(settings).map(k -> Keys.toChecksumAddress(Keys.getAddress(k)));
        Optional<String> configured = settings.get(PROVIDER_ADDRESS.name()).map(a -> {
            if (!ADDRESS.matcher(a).matches()) {
                throw settings.malformed(PROVIDER_ADDRESS.name(), "0x and 40 hex digits");
            }
            return Keys.toChecksumAddress(a);
        });
        if (fromKey.isPresent()
                && configured.isPresent()
                && !fromKey.get()
                        .toLowerCase(Locale.ROOT)
                        .equals(configured.get().toLowerCase(Locale.ROOT))) {
            // Addresses are public: naming both shows at once which one is wrong.
            throw BrizoException.configuration("PROVIDER_ADDRESS " + configured.get()
                    + " is not the address of the provider's key (from " + ProviderKeys.source(settings) + "), "
                    + fromKey.get() + ": fix PROVIDER_ADDRESS or remove it");
        }
        return fromKey.or(() -> configured);
    }
}
