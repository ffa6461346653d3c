package io.brizo.verifier.keeper;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.ProviderAccount;
import io.brizo.spi.ServiceAgreementVerifier;
import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

/**
 * Makes the on-chain {@link KeeperAgreementVerifier} when {@code KEEPER_URL} is set. Found through
 * ServiceLoader; public only for that reason.
 */
public final class KeeperAgreementVerifierFactory implements ServiceAgreementVerifier.Factory {
    /** The chain node's JSON-RPC URL (Brizo's name). */
    public static final SettingKey URL = SettingKey.of(
            "KEEPER_URL", null, "JSON-RPC URL of the chain node; enables the on-chain verifier (may embed an API key)");
    /** The expected chain id. */
    public static final SettingKey CHAIN_ID =
            SettingKey.of("KEEPER_CHAIN_ID", null, "chain id the node must report; unset = not checked");
    /** AgreementStoreManager address. */
    public static final SettingKey AGREEMENT_STORE_MANAGER =
            SettingKey.of("KEEPER_AGREEMENT_STORE_MANAGER", null, "address of the AgreementStoreManager contract");
    /** AccessSecretStoreCondition address. */
    public static final SettingKey ACCESS_SECRET_STORE_CONDITION = SettingKey.of(
            "KEEPER_ACCESS_SECRET_STORE_CONDITION", null, "address of the AccessSecretStoreCondition contract");
    /** ComputeExecutionCondition address. */
    public static final SettingKey COMPUTE_EXECUTION_CONDITION = SettingKey.of(
            "KEEPER_COMPUTE_EXECUTION_CONDITION",
            null,
            "address of the ComputeExecutionCondition contract; unset = compute agreements are refused");
    /** DIDRegistry address. */
    public static final SettingKey DID_REGISTRY =
            SettingKey.of("KEEPER_DID_REGISTRY", null, "address of the DIDRegistry contract");
    /** RPC timeout. */
    public static final SettingKey TIMEOUT = SettingKey.of(
            "KEEPER_TIMEOUT", "10s", "longest wait for one answer of the chain node; slower = 503, never a grant");
    /** Grant cache lifetime. */
    public static final SettingKey CACHE_TTL =
            SettingKey.of("KEEPER_CACHE_TTL", "60s", "how long a granted verdict is reused; 0 = always ask the chain");
    /** First block searched for events. */
    public static final SettingKey FROM_BLOCK = SettingKey.of(
            "KEEPER_FROM_BLOCK",
            "0",
            "first block searched for AgreementActorAdded events (the contracts' deployment block)");

    /** How long a transaction of the provider may take to be mined. */
    public static final SettingKey TRANSACTION_TIMEOUT = SettingKey.of(
            "KEEPER_TRANSACTION_TIMEOUT",
            "120s",
            "longest wait for the provider's DIDRegistry transaction (granting a permission) to be mined");

    /** The Python Brizo's keeper-contracts artifacts folder ({@code keeper.path}). */
    public static final SettingKey KEEPER_PATH = SettingKey.of(
            "KEEPER_PATH",
            null,
            "folder of keeper-contracts artifacts ({ContractName}.{network}.json, field address), as the Python"
                    + " Brizo's keeper.path; contract addresses not set explicitly are read from it");

    /** The artifacts' network name, when not the one the chain id gives. */
    public static final SettingKey NETWORK_NAME = SettingKey.of(
            "KEEPER_NETWORK_NAME",
            null,
            "network name of the artifacts in KEEPER_PATH; unset = from the chain id (1 Main, 3 Ropsten, 4 Rinkeby,"
                    + " 42 Kovan, 8995 nile, 8996 spree, 0xcea11 pacific, ...; any other: development)");

    private static final Logger LOG = LoggerFactory.getLogger(KeeperAgreementVerifierFactory.class);
    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");

    /** Creates the factory; called by ServiceLoader. */
    public KeeperAgreementVerifierFactory() {}

    @Override
    public String name() {
        return "keeper";
    }

    @Override
    public Optional<ServiceAgreementVerifier> create(Settings settings) {
        Optional<String> url = settings.get(URL.name());
        if (url.isEmpty()) {
            if (settings.has(KEEPER_PATH.name())) {
                // Said once at start: a migrated config.ini without keeper.url would otherwise
                // leave the publisher wondering why its contracts are not used.
                LOG.warn("KEEPER_PATH (keeper.path) is set but KEEPER_URL (keeper.url) is not: the on-chain"
                        + " verifier is off and the artifacts are not read");
            }
            return Optional.empty();
        }
        URI uri;
        try {
            uri = URI.create(url.get());
        } catch (IllegalArgumentException e) {
            throw settings.malformed(URL.name(), "an http(s) URL of a JSON-RPC node");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw settings.malformed(URL.name(), "an http(s) URL of a JSON-RPC node");
        }
        Long chainId = null;
        if (settings.has(CHAIN_ID.name())) {
            chainId = (long) settings.getInt(CHAIN_ID.name(), 0, 1, Integer.MAX_VALUE);
        }
        Duration timeout = settings.getDuration(TIMEOUT.name(), Duration.ofSeconds(10));
        if (timeout.isZero()) {
            throw settings.malformed(TIMEOUT.name(), "a duration above zero, such as 10s");
        }
        KeeperArtifacts artifacts = null;
        Optional<Path> keeperPath = settings.getPath(KEEPER_PATH.name());
        if (keeperPath.isPresent()) {
            Long knownChain = chainId;
            String network = settings.get(NETWORK_NAME.name())
                    .orElseGet(() -> KeeperArtifacts.networkName(
                            knownChain != null ? knownChain : askChainId(url.get(), timeout)));
            artifacts = KeeperArtifacts.read(keeperPath.get(), network);
        }
        List<String> missing = new ArrayList<>();
        String store = address(settings, AGREEMENT_STORE_MANAGER, "AgreementStoreManager", artifacts, missing);
        String access =
                address(settings, ACCESS_SECRET_STORE_CONDITION, "AccessSecretStoreCondition", artifacts, missing);
        String registry = address(settings, DID_REGISTRY, "DIDRegistry", artifacts, missing);
        if (!missing.isEmpty()) {
            throw BrizoException.configuration("KEEPER_URL is set, so the on-chain verifier needs the contract "
                    + "addresses; missing: " + String.join(", ", missing));
        }
        List<String> noCompute = new ArrayList<>();
        String compute =
                address(settings, COMPUTE_EXECUTION_CONDITION, "ComputeExecutionCondition", artifacts, noCompute);
        Duration cacheTtl = settings.getDuration(CACHE_TTL.name(), Duration.ofSeconds(60));
        long fromBlock = settings.getInt(FROM_BLOCK.name(), 0, 0, Integer.MAX_VALUE);
        Duration transactionTimeout = settings.getDuration(TRANSACTION_TIMEOUT.name(), Duration.ofSeconds(120));
        if (transactionTimeout.isZero()) {
            throw settings.malformed(TRANSACTION_TIMEOUT.name(), "a duration above zero, such as 120s");
        }
        // Core's reading of the provider's key: PROVIDER_KEY, or a keystore (PROVIDER_KEYFILE,
        // PROVIDER_ENCRYPTED_KEY with PROVIDER_PASSWORD), with the same checks and messages.
        Credentials provider = ProviderAccount.from(settings)
                .map(a -> Credentials.create(ECKeyPair.create(new java.math.BigInteger(1, a.privateKey()))))
                .orElse(null);
        OkHttpClient http = new OkHttpClient.Builder()
                .connectTimeout(timeout)
                .readTimeout(timeout)
                .writeTimeout(timeout)
                .callTimeout(timeout)
                .retryOnConnectionFailure(false)
                .build();
        // An executor of its own: Web3j.shutdown() stops the executor it was given, and the
        // default one is shared by every Web3j in the JVM.
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "brizo-keeper");
            t.setDaemon(true);
            return t;
        });
        Web3j web3 = Web3j.build(new HttpService(url.get(), http), 15_000, executor);
        return Optional.of(new KeeperAgreementVerifier(
                web3,
                () -> {
                    http.dispatcher().executorService().shutdown();
                    http.connectionPool().evictAll();
                },
                new KeeperAgreementVerifier.Contracts(store, access, compute, registry),
                chainId,
                fromBlock,
                cacheTtl,
                provider,
                transactionTimeout,
                serviceInfo(uri, chainId, artifacts, store, access, compute, registry)));
    }

    /**
     * {@return the address of {@code contract}: its setting, else its artifact in KEEPER_PATH}
     * Explicit settings win, so a publisher can replace one contract of a deployment.
     */
    private static String address(
            Settings settings, SettingKey key, String contract, KeeperArtifacts artifacts, List<String> missing) {
        Optional<String> value = settings.get(key.name());
        if (value.isEmpty()) {
            String fromArtifacts =
                    artifacts == null ? null : artifacts.addresses().get(contract);
            if (fromArtifacts != null) {
                return fromArtifacts;
            }
            missing.add(
                    artifacts == null
                            ? key.name()
                            : key.name() + " (or an address in " + artifacts.fileName(contract) + " of KEEPER_PATH)");
            return null;
        }
        if (!ADDRESS.matcher(value.get()).matches()) {
            throw settings.malformed(key.name(), "a contract address: 0x and 40 hex digits");
        }
        return value.get().toLowerCase(Locale.ROOT);
    }

    /**
     * {@return what the original Brizo announced at GET / about the keeper, as far as the
     * configuration knows it} The node's URL is shown without credentials, path or query, where an
     * API key may sit.
     */
    private static Map<String, Object> serviceInfo(
            URI url,
            Long chainId,
            KeeperArtifacts artifacts,
            String store,
            String access,
            String compute,
            String registry) {
        Map<String, Object> info = new LinkedHashMap<>();
        if (artifacts != null) {
            info.put("network", artifacts.network());
        } else if (chainId != null) {
            info.put("network", KeeperArtifacts.networkName(chainId));
        }
        info.put(
                "keeper-url",
                url.getScheme() + "://" + url.getHost() + (url.getPort() >= 0 ? ":" + url.getPort() : ""));
        Map<String, String> contracts = new TreeMap<>(artifacts == null ? Map.of() : artifacts.addresses());
        contracts.put("AgreementStoreManager", store);
        contracts.put("AccessSecretStoreCondition", access);
        contracts.put("DIDRegistry", registry);
        if (compute != null) {
            contracts.put("ComputeExecutionCondition", compute);
        }
        info.put("contracts", Collections.unmodifiableMap(contracts));
        if (artifacts != null && artifacts.version() != null) {
            info.put("keeper-version", artifacts.version());
        }
        return Collections.unmodifiableMap(info);
    }

    /**
     * {@return the chain id the node reports} Asked once at start when KEEPER_PATH is set without
     * KEEPER_CHAIN_ID or KEEPER_NETWORK_NAME, as the original asked it to name the artifacts.
     */
    private static long askChainId(String url, Duration timeout) {
        OkHttpClient http = new OkHttpClient.Builder()
                .callTimeout(timeout)
                .retryOnConnectionFailure(false)
                .build();
        // An executor of its own, as in create: shutting down the default one would stop every
        // other Web3j of the JVM.
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "brizo-keeper-chain-id");
            t.setDaemon(true);
            return t;
        });
        Web3j web3 = Web3j.build(new HttpService(url, http), 15_000, executor);
        try {
            return web3.ethChainId().send().getChainId().longValueExact();
        } catch (IOException | RuntimeException e) {
            // The URL may embed an API key: neither it nor the cause's message is shown.
            throw new BrizoException(
                    ErrorKind.UNAVAILABLE,
                    "the chain node at KEEPER_URL did not tell its chain id ("
                            + e.getClass().getSimpleName()
                            + "), which names the artifacts of KEEPER_PATH; start the node, or set KEEPER_CHAIN_ID"
                            + " or KEEPER_NETWORK_NAME",
                    null,
                    true);
        } finally {
            web3.shutdown();
            http.dispatcher().executorService().shutdown();
            http.connectionPool().evictAll();
        }
    }

    /** {@return 10, so the chain wins over the development verifier when both are configured} */
    @Override
    public int priority() {
        return 10;
    }

    @Override
    public List<SettingKey> settingKeys() {
        return List.of(
                URL,
                CHAIN_ID,
                AGREEMENT_STORE_MANAGER,
                ACCESS_SECRET_STORE_CONDITION,
                COMPUTE_EXECUTION_CONDITION,
                DID_REGISTRY,
                TIMEOUT,
                CACHE_TTL,
                FROM_BLOCK,
                TRANSACTION_TIMEOUT,
                KEEPER_PATH,
                NETWORK_NAME);
    }
}
