package io.brizo.storage.azure;

import io.brizo.spi.Settings;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The validated settings of one Azure driver.
 *
 * @param credential how requests are authorized
 * @param endpoint where the blob service is, if not at its canonical host
 * @param presignMaxLifetime the longest lifetime a presigned URL may have
 * @param blockSize the upload block size in bytes
 * @param uploadConcurrency blocks of one upload sent at once
 * @param maxTries tries per request
 * @param connectTimeout connect timeout
 * @param readTimeout response and read timeout
 */
record AzureConfig(
        Credential credential,
        Optional<URI> endpoint,
        Duration presignMaxLifetime,
        int blockSize,
        int uploadConcurrency,
        int maxTries,
        Duration connectTimeout,
        Duration readTimeout) {

    /** The account of Azurite and the storage emulator. */
    static final String DEVELOPMENT_ACCOUNT = "devstoreaccount1";

    AzureConfig {
        Objects.requireNonNull(credential, "credential");
        Objects.requireNonNull(endpoint, "endpoint");
    }

    /** {@return the canonical host of the account's blob service} */
    String canonicalHost() {
        return credential.accountName() + ".blob.core.windows.net";
    }

    /** The kinds of credential, each with the setting to check when Azure refuses it. */
    enum CredentialKind {
        ACCOUNT_KEY(AzureBlobStorageDriverFactory.ACCOUNT_KEY),
        SAS_TOKEN(AzureBlobStorageDriverFactory.SAS_TOKEN),
        CONNECTION_STRING(AzureBlobStorageDriverFactory.CONNECTION_STRING),
        SERVICE_PRINCIPAL(AzureBlobStorageDriverFactory.CLIENT_ID + ", " + AzureBlobStorageDriverFactory.CLIENT_SECRET
                + ", " + AzureBlobStorageDriverFactory.TENANT_ID + " and the principal's roles on the account");

        private final String setting;

        CredentialKind(String setting) {
            this.setting = setting;
        }

        /** {@return the setting (or settings) that hold this credential} */
        String setting() {
            return setting;
        }
    }

    /**
     * A credential. Its {@code toString()} shows the kind and account, never the secret.
     *
     * @param kind what the secret is
     * @param accountName the storage account
     * @param secret the key, SAS token or connection string
     * @param hasAccountKey whether an account key is available, which a service SAS needs
     * @param principal the service principal's client and tenant, with {@link
     *     CredentialKind#SERVICE_PRINCIPAL} only (its secret is {@code secret})
     */
    record Credential(
            CredentialKind kind, String accountName, String secret, boolean hasAccountKey, Principal principal) {
        Credential {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(accountName, "accountName");
            Objects.requireNonNull(secret, "secret");
            if ((kind == CredentialKind.SERVICE_PRINCIPAL) != (principal != null)) {
                throw new IllegalArgumentException("a principal goes with SERVICE_PRINCIPAL only");
            }
        }

        Credential(CredentialKind kind, String accountName, String secret, boolean hasAccountKey) {
            this(kind, accountName, secret, hasAccountKey, null);
        }

        static Credential accountKey(String account, String key) {
            return new Credential(CredentialKind.ACCOUNT_KEY, account, key, true);
        }

        static Credential sasToken(String account, String token) {
            return new Credential(CredentialKind.SAS_TOKEN, account, token, false);
        }

        static Credential servicePrincipal(String account, String clientSecret, Principal principal) {
            return new Credential(CredentialKind.SERVICE_PRINCIPAL, account, clientSecret, false, principal);
        }

        /**
         * Reads the account name and whether there is an account key from a connection string;
         * the SDK interprets the rest (endpoints, protocol, suffix) when the client is built.
         */
        static Credential connectionString(String value, Settings settings) {
            String account = null;
            String blobEndpoint = null;
            boolean key = false;
            boolean development = false;
            for (String part : value.split(";")) {
                int eq = part.indexOf('=');
                if (part.isBlank()) {
                    continue;
                }
                if (eq <= 0) {
                    throw settings.malformed(
                            AzureBlobStorageDriverFactory.CONNECTION_STRING,
                            "Name=value pairs separated by ';', such as"
                                    + " DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...");
                }
                String name = part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                String v = part.substring(eq + 1).trim();
                switch (name) {
                    case "accountname" -> account = v;
                    case "accountkey" -> key = !v.isEmpty();
                    case "blobendpoint" -> blobEndpoint = v;
                    case "usedevelopmentstorage" -> development = v.equalsIgnoreCase("true");
                    default -> {
                        // Endpoints, protocol, suffix and SAS are read by the SDK.
                    }
                }
            }
            if (development) {
                return new Credential(CredentialKind.CONNECTION_STRING, DEVELOPMENT_ACCOUNT, value, true);
            }
            if ((account == null || account.isEmpty()) && blobEndpoint != null) {
                // A SAS connection string often names only its endpoint.
                account = accountOf(blobEndpoint);
            }
            if (account == null || account.isEmpty()) {
                throw settings.malformed(
                        AzureBlobStorageDriverFactory.CONNECTION_STRING, "a connection string with an AccountName");
            }
            return new Credential(CredentialKind.CONNECTION_STRING, account, value, key);
        }

        /**
         * {@return the account of a blob endpoint: the first label of {@code
         * <account>.blob.<suffix>}, or the first path segment of an emulator's {@code
         * http://host:port/<account>}; null if neither}
         */
        static String accountOf(String endpoint) {
            try {
                URI uri = new URI(endpoint);
                String host = uri.getHost();
                if (host == null) {
                    return null;
                }
                int blob = host.toLowerCase(Locale.ROOT).indexOf(".blob.");
                if (blob > 0) {
                    return host.substring(0, blob).toLowerCase(Locale.ROOT);
                }
                String path = uri.getPath() == null ? "" : uri.getPath();
                String first = path.replaceFirst("^/+", "").split("/", 2)[0];
                return first.isEmpty() ? null : first;
            } catch (java.net.URISyntaxException e) {
                return null;
            }
        }

        @Override
        public String toString() {
            return "Credential{" + kind + ", account=" + accountName + "}";
        }
    }

    /**
     * A service principal of Microsoft Entra ID, less its secret.
     *
     * @param clientId the application (client) id
     * @param tenantId the directory (tenant) id
     * @param authorityHost the identity platform, {@code https://login.microsoftonline.com/} unless
     *     a sovereign cloud's or a stand-in's
     */
    record Principal(String clientId, String tenantId, String authorityHost) {
        Principal {
            Objects.requireNonNull(clientId, "clientId");
            Objects.requireNonNull(tenantId, "tenantId");
            Objects.requireNonNull(authorityHost, "authorityHost");
        }
    }
}
