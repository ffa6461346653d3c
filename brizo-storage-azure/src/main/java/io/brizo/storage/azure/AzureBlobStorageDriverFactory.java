package io.brizo.storage.azure;

import io.brizo.spi.BrizoException;
import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageDriver;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the {@code azure} storage driver, which serves blobs of one Azure Storage account at
 * their canonical locations {@code https://<account>.blob.core.windows.net/<container>/<blob>}.
 *
 * <p>The driver is configured by one credential: an account key ({@value #ACCOUNT_NAME} and
 * {@value #ACCOUNT_KEY}), a SAS token ({@value #ACCOUNT_NAME} and {@value #SAS_TOKEN}), a
 * connection string ({@value #CONNECTION_STRING}) or a service principal ({@value #ACCOUNT_NAME},
 * {@value #CLIENT_ID}, {@value #CLIENT_SECRET} and {@value #TENANT_ID}). Without any of them {@link #create(Settings)}
 * returns empty. {@value #BLOB_ENDPOINT} sends the requests elsewhere (an emulator, a sovereign
 * cloud, a private endpoint) while asset metadata keeps the canonical URLs.
 *
 * <p>Found through {@link java.util.ServiceLoader}; public only for that reason.
 */
public final class AzureBlobStorageDriverFactory implements StorageDriver.Factory {
    /** The storage account whose blobs are served (Brizo's name). */
    public static final String ACCOUNT_NAME = "AZURE_ACCOUNT_NAME";
    /** Secret: the account's shared key, base64 (Brizo's name). */
    public static final String ACCOUNT_KEY = "AZURE_ACCOUNT_KEY";
    /** Secret: a SAS token for the account or a container, instead of the account key. */
    public static final String SAS_TOKEN = "AZURE_SAS_TOKEN";
    /** Secret: a connection string, instead of the account name and a key or SAS token. */
    public static final String CONNECTION_STRING = "AZURE_CONNECTION_STRING";
    /** A service principal's application (client) id, with {@value #CLIENT_SECRET} and {@value #TENANT_ID}. */
    public static final String CLIENT_ID = "AZURE_CLIENT_ID";
    /** Secret: a service principal's client secret; it turns the service principal on. */
    public static final String CLIENT_SECRET = "AZURE_CLIENT_SECRET";
    /** A service principal's directory (tenant) id. */
    public static final String TENANT_ID = "AZURE_TENANT_ID";
    /** The identity platform that issues the service principal's tokens. Default Azure's public cloud. */
    public static final String AUTHORITY_HOST = "AZURE_AUTHORITY_HOST";
    /** Where the account's blob service really is, such as {@code http://127.0.0.1:10000/devstoreaccount1}. */
    public static final String BLOB_ENDPOINT = "AZURE_BLOB_ENDPOINT";
    /** The longest lifetime {@code presignGet} grants. Default 24h. */
    public static final String PRESIGN_MAX_LIFETIME = "AZURE_PRESIGN_MAX_LIFETIME";
    /** The block size of uploads, in MiB; larger objects are uploaded in blocks. Default 4. */
    public static final String UPLOAD_BLOCK_SIZE_MB = "AZURE_UPLOAD_BLOCK_SIZE_MB";
    /** How many blocks of one upload are sent at once. Default 2. */
    public static final String UPLOAD_CONCURRENCY = "AZURE_UPLOAD_CONCURRENCY";
    /** How many times a request is tried in all (throttling, 5xx, network errors). Default 3. */
    public static final String MAX_TRIES = "AZURE_MAX_TRIES";
    /** How long connecting may take. Default 10s. */
    public static final String CONNECT_TIMEOUT = "AZURE_CONNECT_TIMEOUT";
    /** How long waiting for an answer or for more data may take. Default 30s. */
    public static final String READ_TIMEOUT = "AZURE_READ_TIMEOUT";

    static final Duration DEFAULT_PRESIGN_MAX_LIFETIME = Duration.ofHours(24);
    static final int DEFAULT_UPLOAD_BLOCK_SIZE_MB = 4;
    static final int DEFAULT_UPLOAD_CONCURRENCY = 2;
    static final int DEFAULT_MAX_TRIES = 3;
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
    static final String DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com/";

    private static final Logger LOG = LoggerFactory.getLogger(AzureBlobStorageDriverFactory.class);
    // Azure's rule for account names: 3 to 24 lower-case letters and digits.
    private static final Pattern ACCOUNT = Pattern.compile("[a-z0-9]{3,24}");
    // Entra ids are GUIDs; a tenant may also be named by a domain (contoso.onmicrosoft.com).
    private static final Pattern CLIENT = Pattern.compile("[A-Za-z0-9-]{1,64}");
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9.-]{1,253}");

    /** Creates the factory; ServiceLoader calls this. */
    public AzureBlobStorageDriverFactory() {}

    @Override
    public String name() {
        return "azure";
    }

    /**
     * {@return the driver, or empty if no Azure credential is configured} Fails with a
     * CONFIGURATION error naming the setting if a value is malformed, incomplete or ambiguous.
     * Nothing is sent to Azure here: wrong credentials show on the first request.
     */
    @Override
    public Optional<StorageDriver> create(Settings settings) {
        return config(settings).map(c -> AzureBlobStorageDriver.create(c, settings));
    }

    /** {@return the validated settings, or empty if no credential is configured} */
    static Optional<AzureConfig> config(Settings settings) {
        Optional<String> connectionString = settings.get(CONNECTION_STRING);
        Optional<String> key = settings.get(ACCOUNT_KEY);
        Optional<String> sas = settings.get(SAS_TOKEN);
        Optional<String> account = settings.get(ACCOUNT_NAME);
        Optional<String> clientSecret = settings.get(CLIENT_SECRET);

        AzureConfig.Credential credential;
        if (clientSecret.isPresent()) {
            // Only the secret turns the service principal on: AZURE_CLIENT_ID and AZURE_TENANT_ID
            // alone are also what workload and managed identities put in the environment.
            Optional<String> other = connectionString.isPresent()
                    ? connectionString.map(v -> CONNECTION_STRING)
                    : key.isPresent() ? Optional.of(ACCOUNT_KEY) : sas.map(v -> SAS_TOKEN);
            if (other.isPresent()) {
                throw BrizoException.configuration("settings " + CLIENT_SECRET + " and " + other.get()
                        + " are both set; configure the Azure driver with one credential only");
            }
            credential = servicePrincipal(settings, clientSecret.get(), account);
        } else if (connectionString.isPresent()) {
            if (key.isPresent() || sas.isPresent()) {
                throw BrizoException.configuration("settings " + CONNECTION_STRING + " and "
                        + (key.isPresent() ? ACCOUNT_KEY : SAS_TOKEN)
                        + " are both set; configure the Azure driver with one credential only");
            }
            credential = AzureConfig.Credential.connectionString(connectionString.get(), settings);
        } else if (key.isPresent() || sas.isPresent()) {
            if (key.isPresent() && sas.isPresent()) {
                throw BrizoException.configuration("settings " + ACCOUNT_KEY + " and " + SAS_TOKEN
                        + " are both set; configure the Azure driver with one credential only");
            }
            String name = account.orElseThrow(() -> BrizoException.configuration("setting " + ACCOUNT_NAME
                    + " is required with " + (key.isPresent() ? ACCOUNT_KEY : SAS_TOKEN)
                    + ": the name of the storage account, such as mystorageaccount"));
            if (key.isPresent()) {
                requireBase64(settings, key.get());
                credential = AzureConfig.Credential.accountKey(name, key.get());
            } else {
                credential = AzureConfig.Credential.sasToken(name, sasToken(settings, sas.get()));
            }
        } else {
            if (account.isPresent()) {
                LOG.debug(
                        "{} is set without {}, {} or {}: the Azure driver is off",
                        ACCOUNT_NAME,
                        ACCOUNT_KEY,
                        SAS_TOKEN,
                        CONNECTION_STRING);
            }
            return Optional.empty();
        }

        if (account.isPresent() && !account.get().equals(credential.accountName())) {
            // Only possible with a connection string: its AccountName wins, so a differing
            // AZURE_ACCOUNT_NAME would silently serve another account's URLs than intended.
            throw BrizoException.configuration("setting " + ACCOUNT_NAME + " names another account than the one in "
                    + CONNECTION_STRING + "; remove one of them");
        }
        if (!ACCOUNT.matcher(credential.accountName()).matches()) {
            throw credential.kind() == AzureConfig.CredentialKind.CONNECTION_STRING
                    ? settings.malformed(CONNECTION_STRING, "an AccountName of 3 to 24 lower-case letters and digits")
                    : settings.malformed(ACCOUNT_NAME, "3 to 24 lower-case letters and digits");
        }

        Optional<URI> endpoint = settings.get(BLOB_ENDPOINT).map(v -> endpoint(settings, v));
        Duration maxLifetime = settings.getDuration(PRESIGN_MAX_LIFETIME, DEFAULT_PRESIGN_MAX_LIFETIME);
        if (maxLifetime.isZero()) {
            throw settings.malformed(PRESIGN_MAX_LIFETIME, "a positive duration such as 1h");
        }
        // Every block is held in memory while it is sent, so the limit is the heap's, not
        // Azure's (4000 MiB).
        int blockSizeMb = settings.getInt(UPLOAD_BLOCK_SIZE_MB, DEFAULT_UPLOAD_BLOCK_SIZE_MB, 1, 100);
        int concurrency = settings.getInt(UPLOAD_CONCURRENCY, DEFAULT_UPLOAD_CONCURRENCY, 1, 64);
        int maxTries = settings.getInt(MAX_TRIES, DEFAULT_MAX_TRIES, 1, 20);
        Duration connect = positive(settings, CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT);
        Duration read = positive(settings, READ_TIMEOUT, DEFAULT_READ_TIMEOUT);
        return Optional.of(new AzureConfig(
                credential, endpoint, maxLifetime, blockSizeMb * 1024 * 1024, concurrency, maxTries, connect, read));
    }

    private static AzureConfig.Credential servicePrincipal(Settings settings, String secret, Optional<String> account) {
        String name = account.orElseThrow(() -> BrizoException.configuration("setting " + ACCOUNT_NAME
                + " is required with " + CLIENT_SECRET + ": the name of the storage account, such as"
                + " mystorageaccount"));
        String clientId = settings.get(CLIENT_ID)
                .orElseThrow(() -> BrizoException.configuration("setting " + CLIENT_ID + " is required with "
                        + CLIENT_SECRET + ": the service principal's application (client) id"));
        String tenantId = settings.get(TENANT_ID)
                .orElseThrow(() -> BrizoException.configuration("setting " + TENANT_ID + " is required with "
                        + CLIENT_SECRET + ": the directory (tenant) id of the service principal"));
        if (!CLIENT.matcher(clientId).matches()) {
            throw settings.malformed(
                    CLIENT_ID, "an application (client) id such as 00000000-0000-0000-0000-000000000000");
        }
        if (!TENANT.matcher(tenantId).matches()) {
            throw settings.malformed(TENANT_ID, "a directory (tenant) id (a GUID) or domain");
        }
        String authority = settings.get(AUTHORITY_HOST).orElse(DEFAULT_AUTHORITY_HOST);
        URI uri;
        try {
            uri = new URI(authority);
        } catch (URISyntaxException e) {
            uri = null;
        }
        // The identity platform gets the client secret: https only, as azure-identity insists too.
        if (uri == null
                || !"https".equalsIgnoreCase(uri.getScheme())
                || uri.getHost() == null
                || uri.getRawQuery() != null
                || uri.getRawFragment() != null
                || uri.getRawUserInfo() != null) {
            throw settings.malformed(
                    AUTHORITY_HOST, "an https URL such as https://login.microsoftonline.com/ (the default)");
        }
        return AzureConfig.Credential.servicePrincipal(
                name, secret, new AzureConfig.Principal(clientId, tenantId, authority));
    }

    private static void requireBase64(Settings settings, String key) {
        try {
            if (Base64.getDecoder().decode(key).length == 0) {
                throw settings.malformed(ACCOUNT_KEY, "the account's base64 access key");
            }
        } catch (IllegalArgumentException e) {
            throw settings.malformed(ACCOUNT_KEY, "the account's base64 access key, as shown in the Azure portal");
        }
    }

    private static String sasToken(Settings settings, String value) {
        String token = value.startsWith("?") ? value.substring(1) : value;
        if (!token.toLowerCase(Locale.ROOT).contains("sig=")) {
            throw settings.malformed(SAS_TOKEN, "a SAS token such as sv=...&sp=r&sig=... (without the URL)");
        }
        return token;
    }

    private static URI endpoint(Settings settings, String value) {
        String expected = "an http(s) URL without query, such as https://myaccount.blob.core.windows.net"
                + " or http://127.0.0.1:10000/devstoreaccount1";
        URI uri;
        try {
            uri = new URI(value.endsWith("/") ? value.substring(0, value.length() - 1) : value);
        } catch (URISyntaxException e) {
            throw settings.malformed(BLOB_ENDPOINT, expected);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https"))
                || uri.getHost() == null
                || uri.getRawQuery() != null
                || uri.getRawFragment() != null
                || uri.getRawUserInfo() != null) {
            throw settings.malformed(BLOB_ENDPOINT, expected);
        }
        return uri;
    }

    private static Duration positive(Settings settings, String key, Duration defaultValue) {
        Duration d = settings.getDuration(key, defaultValue);
        if (d.isZero()) {
            throw settings.malformed(key, "a positive duration such as 10s");
        }
        return d;
    }

    @Override
    public List<SettingKey> settingKeys() {
        return List.of(
                SettingKey.of(
                        ACCOUNT_NAME,
                        null,
                        "The Azure Storage account whose blobs are served, with " + ACCOUNT_KEY + " or " + SAS_TOKEN
                                + "."),
                SettingKey.secret(ACCOUNT_KEY, "The storage account's shared access key (base64)."),
                SettingKey.secret(
                        SAS_TOKEN,
                        "A SAS token for the account or a container (read, and write for compute outputs),"
                                + " instead of the account key."),
                SettingKey.of(
                        CLIENT_ID,
                        null,
                        "A service principal's application (client) id, with " + CLIENT_SECRET + " and " + TENANT_ID
                                + " instead of a key, SAS token or connection string."),
                SettingKey.secret(
                        CLIENT_SECRET,
                        "A service principal's client secret; with " + CLIENT_ID + ", " + TENANT_ID + " and "
                                + ACCOUNT_NAME + " it authorizes the driver through Microsoft Entra ID."),
                SettingKey.of(TENANT_ID, null, "The directory (tenant) id of the service principal."),
                SettingKey.of(
                        AUTHORITY_HOST,
                        DEFAULT_AUTHORITY_HOST,
                        "The identity platform that issues the service principal's tokens (https), for sovereign"
                                + " clouds."),
                SettingKey.secret(
                        CONNECTION_STRING,
                        "An Azure Storage connection string, instead of " + ACCOUNT_NAME + " and a key or SAS token."),
                SettingKey.of(
                        BLOB_ENDPOINT,
                        null,
                        "Where the account's blob service is, if not https://<account>.blob.core.windows.net:"
                                + " an emulator, a sovereign cloud or a private endpoint. Asset URLs stay canonical."),
                SettingKey.of(
                        PRESIGN_MAX_LIFETIME,
                        "24h",
                        "The longest lifetime of a read-only SAS URL made by presignGet (account key, or a"
                                + " service principal's user delegation SAS: at most 7 days)."),
                SettingKey.of(
                        UPLOAD_BLOCK_SIZE_MB,
                        Integer.toString(DEFAULT_UPLOAD_BLOCK_SIZE_MB),
                        "Block size of uploads in MiB (1 to 100); larger objects are uploaded in blocks."),
                SettingKey.of(
                        UPLOAD_CONCURRENCY,
                        Integer.toString(DEFAULT_UPLOAD_CONCURRENCY),
                        "Blocks of one upload sent at once (1 to 64); a write holds this many blocks and one more in memory."),
                SettingKey.of(
                        MAX_TRIES,
                        Integer.toString(DEFAULT_MAX_TRIES),
                        "Tries per request (1 to 20) when Azure throttles, fails with 5xx or cannot be reached."),
                SettingKey.of(CONNECT_TIMEOUT, "10s", "How long connecting to Azure may take."),
                SettingKey.of(READ_TIMEOUT, "30s", "How long waiting for Azure's answer or for more data may take."));
    }

    @Override
    public String toString() {
        return "AzureBlobStorageDriverFactory";
    }
}
