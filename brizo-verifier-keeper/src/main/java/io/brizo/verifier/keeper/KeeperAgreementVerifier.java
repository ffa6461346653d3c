package io.brizo.verifier.keeper;

import io.brizo.spi.AgreementClaim;
import io.brizo.spi.Asset;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.ServiceAgreementVerifier;
import io.brizo.spi.ServiceType;
import io.brizo.spi.Verdict;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.Event;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.EthEstimateGas;
import org.web3j.protocol.core.methods.response.EthGetTransactionReceipt;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.RawTransactionManager;
import org.web3j.utils.Numeric;

/**
 * Verifies service agreements against the Ocean keeper contracts, as Brizo did.
 *
 * <ul>
 *   <li>ACCESS: the agreement exists ({@code AgreementStoreManager.getAgreement}); the DID's
 *       owner gave the consumer direct permission ({@code DIDRegistry.getPermission}), or the
 *       consumer is an actor of the agreement ({@code AgreementActorAdded}) and {@code
 *       AccessSecretStoreCondition.checkPermissions} says yes.
 *   <li>COMPUTE: actor, and {@code ComputeExecutionCondition.wasComputeTriggered}.
 *   <li>Expiry: grants through the agreement carry the time of block {@code blockNumberUpdated};
 *       the facade adds the asset's service timeout.
 * </ul>
 *
 * <p>Direct permissions on a DID (the DID form of consume): {@code DIDRegistry.getPermission(did,
 * consumer)}, the DID being the 32 bytes of its 64 hex digits. With the provider's key ({@code
 * PROVIDER_KEY}) it can also grant them: {@link #grantPermission} registers the DID as the provider
 * ({@code registerAttribute}, which makes the provider the DID's on-chain owner) unless the
 * provider owns it already, then calls {@code grantPermission(did, grantee)}, each a transaction
 * signed with that key and awaited until mined.
 *
 * <p>Fails closed: an unreachable, failing or slow node is a retryable UNAVAILABLE, never a
 * grant. Grants are cached for a configurable time; denials are not, so a consumer who just
 * bought access is let in at once.
 */
final class KeeperAgreementVerifier implements ServiceAgreementVerifier, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KeeperAgreementVerifier.class);
    private static final int MAX_CACHED = 100_000;

    static final Event AGREEMENT_ACTOR_ADDED = new Event(
            "AgreementActorAdded",
            List.of(
                    new TypeReference<Bytes32>(true) {},
                    new TypeReference<Address>(true) {},
                    new TypeReference<Bytes32>(false) {}));
    private static final String ACTOR_ADDED_TOPIC = EventEncoder.encode(AGREEMENT_ACTOR_ADDED);

    /** Contract addresses; the compute condition may be null when no compute is offered. */
    record Contracts(
            String agreementStoreManager,
            String accessSecretStoreCondition,
            String computeExecutionCondition,
            String didRegistry) {}

    private record CachedVerdict(Verdict verdict, long expiresAtNanos) {}

    /** The cache key of a direct permission, beside the claims of agreements. */
    private record PermissionKey(String did, String consumer) {}

    private static final BigInteger GAS_MARGIN_PERCENT = BigInteger.valueOf(130);
    private static final Duration RECEIPT_POLL = Duration.ofMillis(250);

    private final Web3j web3;
    private final Runnable closeTransport;
    private final Contracts contracts;
    private final Long expectedChainId;
    private final DefaultBlockParameter fromBlock;
    private final Duration cacheTtl;
    private final Map<Object, CachedVerdict> cache = new ConcurrentHashMap<>();
    private final Credentials provider;
    private final Duration transactionTimeout;
    private final Object transactionLock = new Object();
    private volatile boolean chainChecked;
    private final Map<String, Object> serviceInfo;

    KeeperAgreementVerifier(
            Web3j web3,
            Runnable closeTransport,
            Contracts contracts,
            Long expectedChainId,
            long fromBlock,
            Duration cacheTtl,
            Credentials provider,
            Duration transactionTimeout,
            Map<String, Object> serviceInfo) {
        this.serviceInfo = serviceInfo;
        this.provider = provider;
        this.transactionTimeout = transactionTimeout;
        this.web3 = web3;
        this.closeTransport = closeTransport;
        this.contracts = contracts;
        this.expectedChainId = expectedChainId;
        this.fromBlock = DefaultBlockParameter.valueOf(BigInteger.valueOf(fromBlock));
        this.cacheTtl = cacheTtl;
        this.chainChecked = expectedChainId == null;
    }

    @Override
    public Verdict verify(AgreementClaim claim) {
        return cached(claim, () -> verifyOnChain(claim));
    }

    /** Asks {@code DIDRegistry.getPermission(did, consumer)}; grants are cached as agreements are. */
    @Override
    public Verdict verifyPermission(String did, String consumer) {
        if (!Asset.isDid(did)) {
            return Verdict.denied("no permission on this DID was given to this consumer");
        }
        String who = consumer.toLowerCase(Locale.ROOT);
        return cached(new PermissionKey(did, who), () -> {
            requireExpectedChain();
            boolean granted =
                    isTrue(call(contracts.didRegistry, boolFunction("getPermission", didBytes(did), new Address(who))));
            return granted
                    ? Verdict.granted(did, null)
                    : Verdict.denied("no permission on this DID was given to this consumer");
        });
    }

    /** {@return whether a provider key is configured, which granting needs} */
    @Override
    public boolean canGrant() {
        return provider != null;
    }

    /**
     * Registers {@code did} on chain as the provider unless the provider owns it already, then
     * grants {@code grantee} permission on it, unless it has it already (no transaction then).
     * Grants of one verifier are serialised (one account, one nonce sequence).
     *
     * @throws BrizoException CONFIGURATION without PROVIDER_KEY; CONFLICT when another account
     *     owns the DID on chain; UNAVAILABLE when the node cannot be reached or the transaction is
     *     not mined in time; UPSTREAM_FAILED when the node refuses or reverts a transaction
     */
    @Override
    public void grantPermission(String did, String grantee) {
        if (provider == null) {
            throw BrizoException.configuration(
                    "granting permissions on chain needs the provider's key: set PROVIDER_KEY, or PROVIDER_KEYFILE or"
                            + " PROVIDER_ENCRYPTED_KEY with PROVIDER_PASSWORD (its account pays the gas)");
        }
        if (!Asset.isDid(did)) {
            throw BrizoException.invalid("a DID is did:op: and 64 lowercase hex digits");
        }
        if (grantee == null || !grantee.matches("0x[0-9a-fA-F]{40}")) {
            throw BrizoException.invalid("the grantee must be 0x and 40 hex digits");
        }
        Address who = new Address(grantee.toLowerCase(Locale.ROOT));
        Bytes32 didValue = didBytes(did);
        synchronized (transactionLock) {
            requireExpectedChain();
            String owner = ((Address) call(
                                    contracts.didRegistry,
                                    new Function(
                                            "getDIDOwner", List.of(didValue), List.of(new TypeReference<Address>() {})))
                            .get(0))
                    .getValue();
            String me = provider.getAddress().toLowerCase(Locale.ROOT);
            if (isZero(Numeric.hexStringToByteArray(owner))) {
                // The first registration makes the sender the owner; the provider also names
                // itself as the DID's provider (the one that serves it).
                transact(
                        new Function(
                                "registerAttribute",
                                List.of(
                                        didValue,
                                        new Bytes32(Hash.sha3(did.getBytes(StandardCharsets.UTF_8))),
                                        new DynamicArray<>(Address.class, List.of(new Address(me))),
                                        new Utf8String(did)),
                                List.of()),
                        "registering the DID");
                LOG.info("registered {} on chain as provider {}", did, me);
            } else if (!owner.toLowerCase(Locale.ROOT).equals(me)) {
                throw new BrizoException(
                        ErrorKind.CONFLICT,
                        "the DID is registered on chain by another owner; only that owner can grant permission on it");
            }
            if (isTrue(call(contracts.didRegistry, boolFunction("getPermission", didValue, who)))) {
                return;
            }
            transact(new Function("grantPermission", List.of(didValue, who), List.of()), "granting the permission");
            LOG.info("granted {} permission on {} on chain", who.getValue(), did);
        }
    }

    private static Bytes32 didBytes(String did) {
        return new Bytes32(Numeric.hexStringToByteArray(did.substring("did:op:".length())));
    }

    /** Sends {@code function} to the DIDRegistry as the provider and waits until it is mined. */
    private void transact(Function function, String what) {
        String data = FunctionEncoder.encode(function);
        String from = provider.getAddress();
        long chainId = expectedChainId != null
                ? expectedChainId
                : send(() -> web3.ethChainId().send()).getChainId().longValueExact();
        BigInteger gasPrice = send(() -> web3.ethGasPrice().send()).getGasPrice();
        EthEstimateGas estimate = estimate(from, data, what);
        BigInteger gasLimit =
                estimate.getAmountUsed().multiply(GAS_MARGIN_PERCENT).divide(BigInteger.valueOf(100));
        RawTransactionManager manager = new RawTransactionManager(web3, provider, chainId);
        EthSendTransaction sent;
        try {
            sent = manager.sendTransaction(gasPrice, gasLimit, contracts.didRegistry, data, BigInteger.ZERO);
        } catch (IOException e) {
            throw unavailable("the chain node cannot be reached or is too slow; try again later", e);
        }
        if (sent.hasError()) {
            LOG.warn("the chain node refused {}: {}", what, sent.getError().getMessage());
            throw new BrizoException(ErrorKind.UPSTREAM_FAILED, "the chain node refused " + what, null, true);
        }
        TransactionReceipt receipt = awaitReceipt(sent.getTransactionHash(), what);
        if (!receipt.isStatusOK()) {
            LOG.warn("{} reverted on chain (transaction {})", what, receipt.getTransactionHash());
            throw new BrizoException(ErrorKind.UPSTREAM_FAILED, what + " was reverted on chain", null, false);
        }
    }

    private EthEstimateGas estimate(String from, String data, String what) {
        EthEstimateGas estimate;
        try {
            estimate = web3.ethEstimateGas(Transaction.createFunctionCallTransaction(
                            from, null, null, null, contracts.didRegistry, data))
                    .send();
        } catch (IOException e) {
            throw unavailable("the chain node cannot be reached or is too slow; try again later", e);
        } catch (RuntimeException e) {
            throw unavailable("the chain node gave an unusable answer; try again later", e);
        }
        if (estimate == null) {
            throw unavailable("the chain node gave no answer; try again later", null);
        }
        if (estimate.hasError()) {
            // A transaction that would revert (another owner got the DID meanwhile, say).
            LOG.warn("{} would fail on chain: {}", what, estimate.getError().getMessage());
            throw new BrizoException(ErrorKind.UPSTREAM_FAILED, what + " would be reverted on chain", null, false);
        }
        return estimate;
    }

    private TransactionReceipt awaitReceipt(String hash, String what) {
        long deadline = System.nanoTime() + transactionTimeout.toNanos();
        while (true) {
            EthGetTransactionReceipt answer =
                    send(() -> web3.ethGetTransactionReceipt(hash).send());
            if (answer.getTransactionReceipt().isPresent()) {
                return answer.getTransactionReceipt().get();
            }
            if (System.nanoTime() - deadline >= 0) {
                LOG.warn("{} (transaction {}) was not mined within {}", what, hash, transactionTimeout);
                throw new BrizoException(
                        ErrorKind.UNAVAILABLE, what + " was sent but not mined in time; try again later", null, true);
            }
            try {
                Thread.sleep(RECEIPT_POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BrizoException(ErrorKind.UNAVAILABLE, "interrupted while " + what, null, true);
            }
        }
    }

    private Verdict cached(Object key, Supplier<Verdict> ask) {
        CachedVerdict cached = cache.get(key);
        long now = System.nanoTime();
        if (cached != null && now - cached.expiresAtNanos < 0) {
            return cached.verdict;
        }
        Verdict verdict = ask.get();
        if (verdict.isGranted() && !cacheTtl.isZero()) {
            if (cache.size() >= MAX_CACHED) {
                cache.values().removeIf(c -> now - c.expiresAtNanos >= 0);
                if (cache.size() >= MAX_CACHED) {
                    cache.clear();
                }
            }
            cache.put(key, new CachedVerdict(verdict, now + cacheTtl.toNanos()));
        }
        return verdict;
    }

    /** {@return the network, node, contract addresses and keeper version, for GET /} */
    @Override
    public Map<String, Object> serviceInfo() {
        return serviceInfo;
    }

    /** Asks the node for its latest block number (after its chain id, when one is expected). */
    @Override
    public void checkAvailable() {
        requireExpectedChain();
        send(() -> web3.ethBlockNumber().send());
    }

    // web3j's decoder returns raw Type lists; the function's output declaration fixes their types.
    @SuppressWarnings("rawtypes")
    private Verdict verifyOnChain(AgreementClaim claim) {
        requireExpectedChain();
        String agreementId = "0x" + claim.agreementId();
        List<Type> agreement = call(
                contracts.agreementStoreManager,
                new Function(
                        "getAgreement",
                        List.of(new Bytes32(Numeric.hexStringToByteArray(agreementId))),
                        List.of(
                                new TypeReference<Bytes32>() {},
                                new TypeReference<Address>() {},
                                new TypeReference<Address>() {},
                                new TypeReference<DynamicArray<Bytes32>>() {},
                                new TypeReference<Address>() {},
                                new TypeReference<Uint256>() {})));
        byte[] did = ((Bytes32) agreement.get(0)).getValue();
        if (isZero(did)) {
            return Verdict.denied("no service agreement with this id exists");
        }
        String didText = "did:op:" + Numeric.toHexStringNoPrefix(did);
        Bytes32 didValue = new Bytes32(did);
        Address consumer = new Address(claim.consumer());
        if (claim.service() == ServiceType.ACCESS
                && isTrue(call(contracts.didRegistry, boolFunction("getPermission", didValue, consumer)))) {
            return Verdict.granted(didText, null);
        }
        if (!isActor(agreementId, claim.consumer())) {
            return Verdict.denied("the consumer is not a party to this service agreement");
        }
        boolean fulfilled;
        if (claim.service() == ServiceType.ACCESS) {
            fulfilled = isTrue(
                    call(contracts.accessSecretStoreCondition, boolFunction("checkPermissions", consumer, didValue)));
        } else {
            if (contracts.computeExecutionCondition == null) {
                return Verdict.denied("this publisher does not offer compute");
            }
            fulfilled = isTrue(
                    call(contracts.computeExecutionCondition, boolFunction("wasComputeTriggered", didValue, consumer)));
        }
        if (!fulfilled) {
            return Verdict.denied("the " + claim.service().name().toLowerCase(Locale.ROOT)
                    + " condition of this service agreement is not fulfilled for this consumer");
        }
        BigInteger blockNumberUpdated = ((Uint256) agreement.get(5)).getValue();
        return Verdict.grantedSince(didText, blockTime(blockNumberUpdated));
    }

    private boolean isActor(String agreementId, String consumer) {
        EthFilter filter = new EthFilter(fromBlock, DefaultBlockParameterName.LATEST, contracts.agreementStoreManager);
        filter.addSingleTopic(ACTOR_ADDED_TOPIC);
        filter.addSingleTopic(agreementId);
        filter.addSingleTopic(Numeric.toHexStringWithPrefixZeroPadded(Numeric.toBigInt(consumer), 64));
        EthLog logs = send(() -> web3.ethGetLogs(filter).send());
        return !logs.getLogs().isEmpty();
    }

    private Instant blockTime(BigInteger number) {
        EthBlock block = send(() -> web3.ethGetBlockByNumber(DefaultBlockParameter.valueOf(number), false)
                .send());
        if (block.getBlock() == null) {
            throw unavailable("the chain node does not know the agreement's block", null);
        }
        return Instant.ofEpochSecond(block.getBlock().getTimestamp().longValueExact());
    }

    private void requireExpectedChain() {
        if (chainChecked) {
            return;
        }
        long actual = send(() -> web3.ethChainId().send()).getChainId().longValueExact();
        if (actual != expectedChainId) {
            LOG.error("KEEPER_URL points at chain {} but KEEPER_CHAIN_ID is {}", actual, expectedChainId);
            throw BrizoException.configuration("the chain node is on another chain than KEEPER_CHAIN_ID says; "
                    + "fix KEEPER_URL or KEEPER_CHAIN_ID");
        }
        chainChecked = true;
    }

    private static Function boolFunction(String name, Type<?> first, Type<?> second) {
        return new Function(name, List.of(first, second), List.of(new TypeReference<Bool>() {}));
    }

    @SuppressWarnings("rawtypes")
    private List<Type> call(String contract, Function function) {
        EthCall result = send(() -> web3.ethCall(
                        Transaction.createEthCallTransaction(null, contract, FunctionEncoder.encode(function)),
                        DefaultBlockParameterName.LATEST)
                .send());
        if (result.isReverted()) {
            throw unavailable("a keeper contract call was reverted; check the contract addresses", null);
        }
        List<Type> values = FunctionReturnDecoder.decode(result.getValue(), function.getOutputParameters());
        if (values.size() != function.getOutputParameters().size()) {
            // An address without this contract answers "0x": a configuration error, but the
            // consumer only needs to know that access cannot be checked now.
            LOG.error(
                    "keeper contract at {} does not answer {}(); check the KEEPER_* contract addresses",
                    contract,
                    function.getName());
            throw unavailable("the keeper contracts are not reachable as configured", null);
        }
        return values;
    }

    @SuppressWarnings("rawtypes")
    private static boolean isTrue(List<Type> values) {
        return ((Bool) values.get(0)).getValue();
    }

    private static boolean isZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private interface Rpc<T extends Response<?>> {
        T send() throws IOException;
    }

    private static <T extends Response<?>> T send(Rpc<T> rpc) {
        T response;
        try {
            response = rpc.send();
        } catch (IOException e) {
            throw unavailable("the chain node cannot be reached or is too slow; try again later", e);
        } catch (RuntimeException e) {
            throw unavailable("the chain node gave an unusable answer; try again later", e);
        }
        if (response == null) {
            throw unavailable("the chain node gave no answer; try again later", null);
        }
        if (response.hasError()) {
            LOG.warn(
                    "chain node error {}: {}",
                    response.getError().getCode(),
                    response.getError().getMessage());
            throw unavailable("the chain node answered with an error; try again later", null);
        }
        return response;
    }

    private static BrizoException unavailable(String message, Throwable cause) {
        // The node's URL may embed an API key, so neither it nor the cause's message is shown.
        if (cause != null) {
            LOG.warn("{} ({})", message, cause.getClass().getSimpleName());
        }
        return new BrizoException(ErrorKind.UNAVAILABLE, message, null, true);
    }

    /** Stops the RPC client's threads. */
    @Override
    public void close() {
        web3.shutdown();
        closeTransport.run();
    }
}
