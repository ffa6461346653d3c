package io.brizo;

import io.brizo.auth.LinkLedger;
import io.brizo.auth.NonceStore;
import io.brizo.internal.ConsumeService;
import io.brizo.internal.CoreSettings;
import io.brizo.internal.PublishService;
import io.brizo.internal.RequestPipeline;
import io.brizo.internal.Version;
import io.brizo.internal.asset.AquariusAssetResolver;
import io.brizo.internal.asset.JsonFileAssetResolver;
import io.brizo.internal.asset.OrderedAssetResolver;
import io.brizo.internal.auth.RequestAuthenticator;
import io.brizo.internal.compute.ComputePolicy;
import io.brizo.internal.compute.ComputeService;
import io.brizo.internal.compute.DerivedAssets;
import io.brizo.internal.compute.JobOutputStorageDriver;
import io.brizo.internal.compute.links.InMemoryLinkLedger;
import io.brizo.internal.compute.links.LinkKeys;
import io.brizo.internal.compute.links.LinkingStorageAccess;
import io.brizo.internal.compute.links.TransferLinks;
import io.brizo.internal.compute.receipt.ComputeReceipts;
import io.brizo.internal.compute.receipt.Receipt;
import io.brizo.internal.storage.StorageRouter;
import io.brizo.metrics.BrizoMetrics;
import io.brizo.spi.AssetResolver;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ComputeBackend;
import io.brizo.spi.ComputeEnvironment;
import io.brizo.spi.JobState;
import io.brizo.spi.JobStatus;
import io.brizo.spi.LogChunk;
import io.brizo.spi.ObjectInfo;
import io.brizo.spi.OutputFile;
import io.brizo.spi.ServiceAgreementVerifier;
import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageAccess;
import io.brizo.spi.StorageDriver;
import java.io.InputStream;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publisher's data services: authenticates and authorises consumers, then streams their
 * datasets without revealing where they are stored.
 *
 * <p>Build one with {@link #builder()}, wiring instances explicitly (for dependency-injection
 * containers) or discovering drivers with {@link Builder#discover()}. Instances are thread-safe;
 * close the facade to release the drivers it created.
 */
public final class Brizo implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Brizo.class);
    private static final String SOFTWARE = "Brizo for Java";

    private final Settings settings;
    private final StorageRouter storage;
    private final List<String> driverNames;
    private final List<AutoCloseable> owned;
    private final String verifierName;
    private final ServiceAgreementVerifier verifier;
    private final RequestPipeline pipeline;
    private final ConsumeService consumeService;
    private final ServiceInfo info;
    private final ComputeBackend computeBackend;
    private final ComputeService compute;
    private final TransferLinks transferLinks;
    private final BrizoMetrics metrics;
    private final PublishService publishService;

    private Brizo(
            Builder b,
            List<StorageDriver> drivers,
            List<AutoCloseable> owned,
            ServiceAgreementVerifier verifier,
            String verifierName,
            AssetResolver assets,
            NonceStore nonces,
            ComputeBackend computeBackend,
            TransferLinks transferLinks,
            JobOutputStorageDriver jobOutputs) {
        this.settings = b.settings;
        this.transferLinks = transferLinks;
        this.metrics = b.metrics;
        this.driverNames = drivers.stream().map(StorageDriver::name).toList();
        // Derived assets' files are job outputs, served through their own (internal) driver.
        this.storage = new StorageRouter(computeBackend == null ? drivers : withJobOutputs(jobOutputs, drivers));
        this.owned = List.copyOf(owned);
        this.verifierName = verifierName;
        this.verifier = verifier;
        this.pipeline = new RequestPipeline(
                new RequestAuthenticator(
                        nonces,
                        settings.getBoolean(CoreSettings.NONCE_REQUIRED.name(), false),
                        settings.get(
                                CoreSettings.AUTH_TOKEN_MESSAGE.name(), CoreSettings.AUTH_TOKEN_MESSAGE.defaultValue()),
                        settings.getDuration(
                                CoreSettings.AUTH_TOKEN_LIFETIME.name(), RequestAuthenticator.DEFAULT_TOKEN_LIFETIME),
                        b.clock),
                verifier,
                verifierName,
                assets,
                b.clock,
                metrics);
        this.publishService = PublishService.from(settings, pipeline);
        this.consumeService = new ConsumeService(
                pipeline, storage, settings.getBoolean(CoreSettings.ALLOW_URL_PARAMETER.name(), false));
        this.info = new ServiceInfo(
                SOFTWARE, Version.get(), CoreSettings.providerAddress(settings).orElse(null));
        this.computeBackend = computeBackend;
        this.compute = computeBackend == null
                ? null
                : new ComputeService(
                        computeBackend,
                        ComputePolicy.from(settings),
                        pipeline,
                        storage,
                        metrics,
                        ComputeReceipts.from(settings),
                        new DerivedAssets(
                                computeBackend,
                                assets,
                                verifier,
                                CoreSettings.providerAddress(settings).orElse(null)));
    }

    /** {@return {@code drivers} with the job-output driver first} */
    private static List<StorageDriver> withJobOutputs(JobOutputStorageDriver jobOutputs, List<StorageDriver> drivers) {
        List<StorageDriver> all = new ArrayList<>();
        all.add(jobOutputs);
        all.addAll(drivers);
        return all;
    }

    /**
     * {@return the publisher's file list encrypted to this provider's key ({@code PROVIDER_KEY}),
     * as {@code 0x} hex} What the original Brizo's {@code publish} route did: the publisher signs
     * {@code documentId}, and the result can be an asset's {@code encryptedFiles}, which only this
     * provider can decrypt. {@code BRIZO_PUBLISHERS}, when set, lists the publishers allowed.
     *
     * @throws BrizoException INVALID_REQUEST (missing or malformed parameters, a document that is
     *     not a file list), UNAUTHENTICATED (not the publisher's signature), FORBIDDEN (a publisher
     *     BRIZO_PUBLISHERS does not list), CONFIGURATION (no PROVIDER_KEY)
     */
    public String publish(PublishRequest request) {
        return publishService.publish(Objects.requireNonNull(request, "request"));
    }

    /**
     * {@return {@code document} encrypted to this provider's key, as {@code 0x} hex} Ocean
     * Provider's raw {@code encrypt}: no signature, since only this provider can decrypt.
     *
     * @throws BrizoException CONFIGURATION when there is no PROVIDER_KEY
     */
    public String encrypt(byte[] document) {
        return publishService.encrypt(Objects.requireNonNull(document, "document"));
    }

    /** {@return a builder} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@return every setting that core and the storage drivers, verifiers, compute backends and
     * nonce stores discoverable on {@code loader} declare: what {@link Builder#build()} accepts besides the
     * application's own settings} For integrations that map their own configuration onto these
     * names, list them or mask the secret ones.
     */
    public static List<SettingKey> settingKeys(ClassLoader loader) {
        Objects.requireNonNull(loader, "loader");
        return List.copyOf(Builder.settingKeys(
                Builder.load(StorageDriver.Factory.class, loader),
                Builder.load(ServiceAgreementVerifier.Factory.class, loader),
                Builder.load(ComputeBackend.Factory.class, loader),
                Builder.load(NonceStore.Factory.class, loader),
                Builder.load(LinkLedger.Factory.class, loader)));
    }

    /** {@return what this service says about itself} */
    public ServiceInfo info() {
        return info;
    }

    /**
     * {@return what the agreement verifier adds to the service description} For the keeper
     * verifier: the network, the node (without credentials), the contract addresses and the
     * keeper-contracts version, the fields the Python Brizo announced at {@code GET /}.
     */
    public Map<String, Object> verifierInfo() {
        return verifier.serviceInfo();
    }

    /** {@return the settings this instance was built with} */
    public Settings settings() {
        return settings;
    }

    /** {@return where this instance records its metrics; {@link BrizoMetrics#none()} by default} */
    public BrizoMetrics metrics() {
        return metrics;
    }

    /** {@return the names of the storage drivers in the order they are asked} */
    public List<String> storageDriverNames() {
        return driverNames;
    }

    /**
     * Uses up a transfer link that a compute backend made for a pod (see
     * {@link io.brizo.spi.StorageAccess#transferLink}): the token is the whole capability, so no
     * other authentication applies. Any instance with the same {@code BRIZO_LINK_KEYS} opens the
     * link; it reads once across every instance that shares the link ledger.
     *
     * @return the object to stream, named neutrally so that nothing of its location shows
     * @throws BrizoException of kind NOT_FOUND if the token is unknown, tampered, used or expired;
     *     UNAVAILABLE if the link ledger cannot be reached
     */
    public ConsumableFile transfer(String token) {
        URI location = transferLinks
                .consume(token)
                .orElseThrow(() -> BrizoException.notFound("no such transfer link (unknown, used or expired)"));
        StorageDriver driver = storage.driverFor(location);
        ObjectInfo info = driver.stat(location);
        return new ConsumableFile("transfer", 0, "transfer", "application/octet-stream", info, driver, location);
    }

    /**
     * {@return the size of the object a transfer link reads, leaving the link unused} What a HEAD
     * request of the link answers; the link still reads once afterwards.
     *
     * @throws BrizoException of kind NOT_FOUND if the token is unknown, used or expired
     */
    public long transferSize(String token) {
        URI location = transferLinks
                .peek(token)
                .orElseThrow(() -> BrizoException.notFound("no such transfer link (unknown, used or expired)"));
        return storage.driverFor(location).stat(location).size();
    }

    /**
     * Writes one object through an upload link that a compute backend made for a pod (see
     * {@link io.brizo.spi.StorageAccess#uploadLink}): the token is the whole capability. The object
     * goes to {@code name} under the link's prefix, replacing one of that name.
     *
     * @param name a relative path, such as {@code outputs/result.csv}
     * @param length the exact number of bytes {@code data} yields
     * @return the written object's name and size
     * @throws BrizoException of kind NOT_FOUND if the token is unknown or expired, INVALID_REQUEST
     *     if the name is not a relative path or the link's allowance does not cover the object
     */
    public OutputFile upload(String token, String name, InputStream data, long length, String contentType) {
        Objects.requireNonNull(data, "data");
        if (length < 0) {
            throw BrizoException.invalid("the length of an upload must be known (send Content-Length)");
        }
        URI prefix = transferLinks
                .reserveUpload(token, length)
                .orElseThrow(() -> BrizoException.notFound("no such upload link (unknown or expired)"));
        boolean written = false;
        try {
            URI location = StorageAccess.resolve(prefix, name);
            ObjectInfo info = storage.write(
                    location, data, length, contentType == null ? "application/octet-stream" : contentType);
            written = true;
            return new OutputFile(name, info.size());
        } finally {
            if (!written) {
                transferLinks.releaseUpload(token, length);
            }
        }
    }

    /** {@return the name of the agreement verifier in use} */
    public String verifierName() {
        return verifierName;
    }

    /**
     * Asks the agreement verifier whether it can answer now, for health checks: a remote verifier
     * asks its node or store something cheap. Never asks about an agreement and never grants
     * anything.
     *
     * @throws BrizoException of kind UNAVAILABLE (retryable) when the verifier's node or store
     *     cannot be reached, or CONFIGURATION when it is not the one configured
     */
    public void checkVerifierAvailable() {
        verifier.checkAvailable();
    }

    /**
     * Starts a compute job: authenticates the consumer (signature over {@code consumerAddress +
     * serviceAgreementId}), verifies a COMPUTE agreement for every input dataset, resolves the
     * algorithm, applies the publisher's policy and hands the job to the backend.
     *
     * @return the new job's first status; the job runs on
     * @throws BrizoException INVALID_REQUEST, UNAUTHENTICATED, FORBIDDEN (no agreement, algorithm
     *     or image not allowed), NOT_FOUND (no compute offered, unknown asset), CONFLICT (too many
     *     jobs of this consumer), UNAVAILABLE
     */
    public JobStatus startCompute(ComputeStartRequest request) {
        return compute().start(Objects.requireNonNull(request, "request"));
    }

    /**
     * {@return the caller's job, or all its jobs (of the agreement, if given) when no jobId is
     * given, with the outputs of those that ended}
     */
    public List<JobReport> computeStatus(ComputeJobRequest request) {
        return compute().status(Objects.requireNonNull(request, "request")).stream()
                .map(this::report)
                .toList();
    }

    /** Stops the caller's job, keeping its outputs and logs; {@return its report} */
    public JobReport stopCompute(ComputeJobRequest request) {
        return report(compute().stop(Objects.requireNonNull(request, "request")));
    }

    /** Deletes the caller's job and everything it left; {@return its last status} */
    public JobStatus deleteCompute(ComputeJobRequest request) {
        return compute().delete(Objects.requireNonNull(request, "request"));
    }

    private JobReport report(JobStatus status) {
        boolean ended = status.state().isTerminal() && status.state() != JobState.DELETED;
        DerivedAssets.Outcome derived = compute.derived(status);
        JobStatus shown = status;
        if (derived.missing()) {
            String message = status.message() == null || status.message().isBlank()
                    ? derived.problem()
                    : status.message() + "; " + derived.problem();
            shown = new JobStatus(
                    status.jobId(),
                    status.owner(),
                    status.agreementId(),
                    status.state(),
                    status.exitCode(),
                    status.created(),
                    status.started(),
                    status.finished(),
                    message);
        }
        return new JobReport(shown, ended ? compute.outputsOf(status.jobId()) : List.of(), derived.did());
    }

    /**
     * {@return the signed receipt of the caller's ended job (SUCCEEDED, FAILED or STOPPED)} The
     * receipt is an in-toto statement naming the job's inputs, algorithm, image, environment,
     * outputs and log with their SHA-256, signed by the provider's key ({@code PROVIDER_KEY}); see
     * {@link ComputeReceipt}. It is built on request from what the backend kept of the job, so it
     * lasts as long as the job's outputs, and the same job always gives the same bytes.
     *
     * @throws BrizoException INVALID_REQUEST, UNAUTHENTICATED, FORBIDDEN (another consumer's job),
     *     NOT_FOUND (unknown job, a job that has not ended, a backend that keeps no evidence)
     */
    public ComputeReceipt computeReceipt(ComputeJobRequest request) {
        Receipt r = compute().receipt(Objects.requireNonNull(request, "request"));
        return new ComputeReceipt(r.jobId(), r.json(), r.hash(), r.signature(), r.signer());
    }

    /** {@return the caller's job log from byte {@code offset}; works while the job runs} */
    public LogChunk computeLogs(ComputeJobRequest request, long offset) {
        return compute().logs(Objects.requireNonNull(request, "request"), offset);
    }

    /** {@return the caller's job outputs, in index order} */
    public List<OutputFile> computeOutputs(ComputeJobRequest request) {
        return compute().outputs(Objects.requireNonNull(request, "request"));
    }

    /**
     * Finds output {@code index} of the caller's job.
     *
     * @return the output's name and size, ready to be opened
     */
    public ComputeResult computeResult(ComputeJobRequest request, long index) {
        List<OutputFile> outputs = computeOutputs(request);
        if (index < 0 || index >= outputs.size()) {
            throw BrizoException.notFound("the job has no output with index " + index + "; it has " + outputs.size());
        }
        OutputFile output = outputs.get((int) index);
        String jobId = request.jobId().trim();
        return new ComputeResult(output, range -> compute.openOutput(jobId, output.name(), range));
    }

    /** {@return the compute environments, or none if this publisher offers no compute} */
    public List<ComputeEnvironment> computeEnvironments() {
        return compute == null ? List.of() : compute.environments();
    }

    private ComputeService compute() {
        if (compute == null) {
            throw BrizoException.notFound("this publisher does not offer compute");
        }
        return compute;
    }

    /** {@return the compute backend, if one is configured} */
    public Optional<ComputeBackend> computeBackend() {
        return Optional.ofNullable(computeBackend);
    }

    /**
     * Checks a consume request: its form, the consumer's signature, the agreement and the file.
     *
     * @return the authorised file, ready to be opened
     * @throws BrizoException INVALID_REQUEST for malformed input, UNAUTHENTICATED for a bad
     *     signature or replayed nonce, FORBIDDEN without an agreement, NOT_FOUND for an unknown
     *     asset or file index, UNAVAILABLE when the agreement cannot be checked now
     */
    public ConsumableFile consume(ConsumeRequest request) {
        ConsumeService.Grant g = consumeService.authorize(Objects.requireNonNull(request, "request"));
        return new ConsumableFile(
                g.did(), g.index(), g.fileName(), g.contentType(), g.info(), g.driver(), g.location());
    }

    /** Closes the drivers, verifier, nonce store and backend this facade created; not explicit ones. */
    @Override
    public void close() {
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn(
                        "closing {} failed: {}",
                        c.getClass().getSimpleName(),
                        e.getClass().getSimpleName());
            }
        }
    }

    /** Builds {@link Brizo}. */
    public static final class Builder {
        private Settings settings = Settings.empty();
        private final List<StorageDriver> explicitDrivers = new ArrayList<>();
        private ServiceAgreementVerifier verifier;
        private AssetResolver assetResolver;
        private NonceStore nonceStore;
        private LinkLedger linkLedger;
        private ComputeBackend computeBackend;
        private ComputeBackend.Factory computeBackendFactory;
        private ClassLoader discoveryLoader;
        private boolean discover;
        private Clock clock = Clock.systemUTC();
        private BrizoMetrics metrics = BrizoMetrics.none();
        private final List<SettingKey> applicationSettings = new ArrayList<>();

        private Builder() {}

        /**
         * Declares settings that the application itself reads from the same {@link Settings} (for
         * example a server's TLS and timeout settings), so that {@link #build()} accepts them in a
         * properties file or as explicit values instead of rejecting them as unknown.
         */
        public Builder applicationSettings(Collection<SettingKey> keys) {
            keys.forEach(k -> applicationSettings.add(Objects.requireNonNull(k, "key")));
            return this;
        }

        /** Sets the settings; the default is empty settings. */
        public Builder settings(Settings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** Adds a storage driver, asked before any discovered one, in the order added. */
        public Builder storageDriver(StorageDriver driver) {
            explicitDrivers.add(Objects.requireNonNull(driver, "driver"));
            return this;
        }

        /** Sets the agreement verifier, overriding discovery. */
        public Builder verifier(ServiceAgreementVerifier verifier) {
            this.verifier = Objects.requireNonNull(verifier, "verifier");
            return this;
        }

        /** Sets the asset catalogue; the default reads the file named by {@code BRIZO_ASSETS}. */
        public Builder assetResolver(AssetResolver assetResolver) {
            this.assetResolver = Objects.requireNonNull(assetResolver, "assetResolver");
            return this;
        }

        /**
         * Sets the nonce store, overriding discovery; the default is the store a discovered {@link
         * NonceStore.Factory} makes from the settings (with {@link #discover()}), else {@code
         * BRIZO_NONCE_FILE}, else memory.
         */
        public Builder nonceStore(NonceStore nonceStore) {
            this.nonceStore = Objects.requireNonNull(nonceStore, "nonceStore");
            return this;
        }

        /**
         * Sets the ledger of single-use links and upload allowances, overriding discovery; the
         * default is the ledger a discovered {@link LinkLedger.Factory} makes from the settings
         * (with {@link #discover()}), else memory. The application closes a ledger it passes.
         */
        public Builder linkLedger(LinkLedger linkLedger) {
            this.linkLedger = Objects.requireNonNull(linkLedger, "linkLedger");
            return this;
        }

        /** Sets the compute backend, overriding discovery. */
        public Builder computeBackend(ComputeBackend computeBackend) {
            this.computeBackend = Objects.requireNonNull(computeBackend, "computeBackend");
            return this;
        }

        /**
         * Sets the factory of the compute backend, overriding discovery; the facade creates the
         * backend with its settings and storage, and closes it.
         */
        public Builder computeBackend(ComputeBackend.Factory factory) {
            this.computeBackendFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * Sets where metrics are recorded, for example {@code
         * MicrometerBinding.of(meterRegistry)}; the default, {@link BrizoMetrics#none()}, records
         * nothing.
         */
        public Builder metrics(BrizoMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /** Sets the clock used for agreement expiry; for tests. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Also uses the drivers, verifiers, backends and nonce stores found by ServiceLoader on the context class loader. */
        public Builder discover() {
            return discover(Thread.currentThread().getContextClassLoader());
        }

        /** Also uses the drivers, verifiers, backends and nonce stores found by ServiceLoader on {@code loader}. */
        public Builder discover(ClassLoader loader) {
            this.discover = true;
            this.discoveryLoader = loader;
            return this;
        }

        /**
         * {@return the configured facade}
         *
         * @throws BrizoException of kind CONFIGURATION for an unknown or malformed setting, or a
         *     missing verifier or asset catalogue; the message says which and how to fix it
         */
        public Brizo build() {
            ClassLoader loader = discoveryLoader != null ? discoveryLoader : Brizo.class.getClassLoader();
            List<StorageDriver.Factory> driverFactories = load(StorageDriver.Factory.class, loader);
            List<ServiceAgreementVerifier.Factory> verifierFactories =
                    load(ServiceAgreementVerifier.Factory.class, loader);
            List<ComputeBackend.Factory> backendFactories = load(ComputeBackend.Factory.class, loader);
            List<NonceStore.Factory> nonceFactories = load(NonceStore.Factory.class, loader);
            List<LinkLedger.Factory> ledgerFactories = load(LinkLedger.Factory.class, loader);

            List<SettingKey> known =
                    settingKeys(driverFactories, verifierFactories, backendFactories, nonceFactories, ledgerFactories);
            known.addAll(applicationSettings);
            settings.requireKnown(known);

            List<AutoCloseable> owned = new ArrayList<>();
            // Serves job outputs as storage (derived assets, chained jobs) once the backend exists.
            JobOutputStorageDriver jobOutputs = new JobOutputStorageDriver();
            URI publicUrl = CoreSettings.publicUrl(settings).orElse(null);
            CoreSettings.docsMode(settings); // read by the HTTP API; a malformed value fails here
            Optional<LinkKeys> linkKeys = LinkKeys.from(settings);
            try {
                LinkLedger ledger = linkLedger;
                // Links are made only under a public URL, and another replica's only opened with
                // shared keys: without either, no link can reach the ledger, so none is opened.
                if (ledger == null && discover && (publicUrl != null || linkKeys.isPresent())) {
                    Optional<Made<LinkLedger>> first = made(
                                    ledgerFactories,
                                    LinkLedger.Factory::priority,
                                    LinkLedger.Factory::name,
                                    f -> f.create(settings))
                            .findFirst();
                    if (first.isPresent()) {
                        ledger = first.get().made();
                        owned.add(ledger);
                    }
                }
                if (ledger == null) {
                    ledger = new InMemoryLinkLedger(clock, InMemoryLinkLedger.DEFAULT_CAPACITY);
                }
                if (linkKeys.isEmpty() && publicUrl != null) {
                    LOG.warn("BRIZO_LINK_KEYS is not set: the transfer and upload links of compute pods are sealed"
                            + " with a random key of this process, so they will not survive a restart and will not"
                            + " work on other replicas; set the same BRIZO_LINK_KEYS on every replica");
                }
                // One registry backs both the links backends make and the HTTP route that serves them.
                TransferLinks links = new TransferLinks(linkKeys.orElseGet(LinkKeys::random), ledger, clock);
                List<StorageDriver> drivers = new ArrayList<>(explicitDrivers);
                ServiceAgreementVerifier v = verifier;
                String verifierName = v == null ? null : v.getClass().getSimpleName();
                ComputeBackend backend = computeBackend;
                if (discover) {
                    made(
                                    driverFactories,
                                    StorageDriver.Factory::priority,
                                    StorageDriver.Factory::name,
                                    f -> f.create(settings))
                            .forEach(d -> {
                                drivers.add(d.made());
                                owned.add(d.made());
                            });
                    if (v == null) {
                        Optional<Made<ServiceAgreementVerifier>> first = made(
                                        verifierFactories,
                                        ServiceAgreementVerifier.Factory::priority,
                                        ServiceAgreementVerifier.Factory::name,
                                        f -> f.create(settings))
                                .findFirst();
                        if (first.isPresent()) {
                            v = first.get().made();
                            verifierName = first.get().name();
                        }
                    }
                    if (backend == null && computeBackendFactory == null) {
                        StorageAccess access = new LinkingStorageAccess(
                                new StorageRouter(withJobOutputs(jobOutputs, drivers)), links, publicUrl);
                        backend = made(
                                        backendFactories,
                                        ComputeBackend.Factory::priority,
                                        ComputeBackend.Factory::name,
                                        f -> f.create(settings, access))
                                .findFirst()
                                .map(Made::made)
                                .orElse(null);
                        if (backend != null) {
                            owned.add(backend);
                        }
                    }
                }
                if (backend == null && computeBackendFactory != null) {
                    backend = computeBackendFactory
                            .create(
                                    settings,
                                    new LinkingStorageAccess(
                                            new StorageRouter(withJobOutputs(jobOutputs, drivers)), links, publicUrl))
                            .orElseThrow(() -> BrizoException.configuration("the compute backend "
                                    + computeBackendFactory.name() + " is not configured by these settings"));
                    owned.add(backend);
                }
                if (v == null) {
                    throw BrizoException.configuration("no service agreement verifier is configured: set BRIZO_GRANTS "
                            + "to a grants file for development, configure an on-chain verifier and call discover(), "
                            + "or pass one to verifier(...); available: "
                            + names(verifierFactories.stream()
                                    .map(ServiceAgreementVerifier.Factory::name)
                                    .toList()));
                }
                if (v instanceof AutoCloseable c && verifier == null) {
                    owned.add(c);
                }
                AssetResolver resolver = assetResolver;
                if (resolver == null) {
                    // BRIZO_ASSETS, AQUARIUS_URL, or both: the file first (it also takes compute outputs).
                    AssetResolver file = settings.getPath(CoreSettings.ASSETS.name())
                            .map(path -> new JsonFileAssetResolver(
                                    path,
                                    CoreSettings.reloadInterval(settings),
                                    CoreSettings.providerKey(settings).orElse(null)))
                            .orElse(null);
                    AssetResolver store = CoreSettings.aquariusUrl(settings)
                            .map(url -> new AquariusAssetResolver(
                                    url,
                                    CoreSettings.aquariusCacheTtl(settings),
                                    CoreSettings.providerKey(settings).orElse(null)))
                            .orElse(null);
                    if (file != null && store != null) {
                        LOG.info("assets from BRIZO_ASSETS first, then from the metadata store at AQUARIUS_URL");
                        resolver = new OrderedAssetResolver(file, store);
                    } else {
                        resolver = file != null ? file : store;
                    }
                    if (resolver == null) {
                        throw BrizoException.configuration("no asset catalogue is configured: set BRIZO_ASSETS to an"
                                + " assets JSON file, or AQUARIUS_URL to a metadata store, or pass one to"
                                + " assetResolver(...)");
                    }
                }
                NonceStore nonces = nonceStore;
                if (nonces == null && discover) {
                    Optional<Made<NonceStore>> first = made(
                                    nonceFactories,
                                    NonceStore.Factory::priority,
                                    NonceStore.Factory::name,
                                    f -> f.create(settings))
                            .findFirst();
                    if (first.isPresent()) {
                        nonces = first.get().made();
                        owned.add(nonces);
                        if (settings.has(CoreSettings.NONCE_FILE.name())) {
                            throw BrizoException.configuration(
                                    "the nonce store " + first.get().name()
                                            + " is configured by its settings and BRIZO_NONCE_FILE is set as well; remove"
                                            + " one of them");
                        }
                    }
                }
                if (nonces == null) {
                    nonces = settings.getPath(CoreSettings.NONCE_FILE.name())
                            .map(NonceStore::file)
                            .orElseGet(NonceStore::inMemory);
                    owned.add(nonces);
                }
                if (backend != null) {
                    jobOutputs.bind(backend);
                }
                Brizo brizo =
                        new Brizo(this, drivers, owned, v, verifierName, resolver, nonces, backend, links, jobOutputs);
                LOG.info(
                        "Brizo {} ready: storage drivers {}, verifier {}",
                        brizo.info.version(),
                        names(brizo.storageDriverNames()),
                        verifierName);
                return brizo;
            } catch (RuntimeException e) {
                for (AutoCloseable c : owned) {
                    try {
                        c.close();
                    } catch (Exception suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                throw e;
            }
        }

        private static List<SettingKey> settingKeys(
                List<StorageDriver.Factory> drivers,
                List<ServiceAgreementVerifier.Factory> verifiers,
                List<ComputeBackend.Factory> backends,
                List<NonceStore.Factory> nonceStores,
                List<LinkLedger.Factory> linkLedgers) {
            List<SettingKey> known = new ArrayList<>(CoreSettings.ALL);
            known.addAll(ComputePolicy.KEYS);
            drivers.forEach(f -> known.addAll(f.settingKeys()));
            verifiers.forEach(f -> known.addAll(f.settingKeys()));
            backends.forEach(f -> known.addAll(f.settingKeys()));
            nonceStores.forEach(f -> known.addAll(f.settingKeys()));
            linkLedgers.forEach(f -> known.addAll(f.settingKeys()));
            // A module that provides several of these (a database: nonces and links) declares its keys once each.
            Set<String> seen = new HashSet<>();
            known.removeIf(k -> !seen.add(k.name()));
            return known;
        }

        /** One thing a discovered factory made, with the factory's name. */
        private record Made<T>(String name, T made) {}

        /**
         * {@return what the factories make from the settings, asked by priority (highest first, then
         * by name); lazily, so taking the first asks no further factory}
         */
        private static <F, T> Stream<Made<T>> made(
                List<F> factories,
                ToIntFunction<F> priority,
                Function<F, String> name,
                Function<F, Optional<T>> create) {
            return factories.stream()
                    .sorted(Comparator.comparingInt(priority).reversed().thenComparing(name))
                    .flatMap(f -> create.apply(f).map(t -> new Made<>(name.apply(f), t)).stream());
        }

        private static String names(List<String> names) {
            return names.isEmpty() ? "none" : String.join(", ", names);
        }

        private static <T> List<T> load(Class<T> type, ClassLoader loader) {
            List<T> out = new ArrayList<>();
            ServiceLoader.load(type, loader).forEach(out::add);
            return out;
        }
    }
}
