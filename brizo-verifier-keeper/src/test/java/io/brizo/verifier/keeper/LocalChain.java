package io.brizo.verifier.keeper;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.RawTransactionManager;
import org.web3j.utils.Numeric;

/**
 * A real local Ethereum node for tests: anvil from {@code test-servers/node_modules} on
 * 127.0.0.1 (a free port chosen by anvil itself), with the project's keeper test contracts
 * ({@code brizo-verifier-keeper/src/test/solidity/KeeperTestContracts.sol}) compiled by solc-js and deployed
 * from anvil's account 0. The test actions send real transactions and return once they are mined.
 *
 * <p>Start it once per test class ({@code @BeforeAll}) and close it afterwards: close stops the
 * anvil process by its own pid. Needs {@code test-servers/install.sh} to have run (mvn verify runs
 * it) and {@code node} on the PATH for the compiler.
 */
public final class LocalChain implements AutoCloseable {
    /** Chain id the node is started with. */
    public static final long CHAIN_ID = 1337;

    /** anvil's (and hardhat's) published development mnemonic: its keys hold nothing anywhere real. */
    public static final String MNEMONIC = "test test test test test test test test test test test junk";

    /** Private key of the mnemonic's account 0, which deploys the contracts and sends every action. */
    public static final String DEPLOYER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    /** Address of {@link #DEPLOYER_KEY}. */
    public static final String DEPLOYER_ADDRESS = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";

    /** The actor type the test agreements give their actors: keccak256("consumer"). */
    public static final String CONSUMER_ACTOR_TYPE = Hash.sha3String("consumer");

    private static final String SOURCE = "KeeperTestContracts.sol";
    private static final List<String> CONTRACTS =
            List.of("AgreementStoreManager", "AccessSecretStoreCondition", "ComputeExecutionCondition", "DIDRegistry");

    // Generous: anvil is ready in about 0.1 s and mines at once, but CI machines have 2 cores
    // shared with a whole Maven build.
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration MINING_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration COMPILE_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    // Legacy transactions at a fixed price: anvil's base fee starts at 1 gwei and only falls on a
    // chain this idle, and the accounts hold 1000 ether each.
    private static final BigInteger GAS_PRICE = BigInteger.valueOf(10_000_000_000L);
    private static final BigInteger DEPLOY_GAS = BigInteger.valueOf(3_000_000);
    private static final BigInteger CALL_GAS = BigInteger.valueOf(1_000_000);

    private static final Pattern LISTENING = Pattern.compile("Listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern HEX_ID = Pattern.compile("(?:did:op:|0x)?([0-9a-fA-F]{64})");
    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");
    private static final ObjectMapper JSON = new ObjectMapper();

    // Compiling takes about a second: once per JVM is enough, the source does not change.
    private static Map<String, String> compiledBytecode;

    private final Process process;
    private final NodeOutput output;
    private final Thread shutdownHook;
    private final String rpcUrl;
    private final OkHttpClient http;
    private final ScheduledExecutorService web3jExecutor;
    private final HttpService service;
    private final Web3j web3j;
    private final RawTransactionManager transactions;
    private final Map<String, String> addresses = new LinkedHashMap<>();
    private boolean closed;

    private LocalChain(Process process, NodeOutput output, String rpcUrl) {
        this.process = process;
        this.output = output;
        this.rpcUrl = rpcUrl;
        // A test run that dies without closing must not leave anvil running.
        this.shutdownHook = new Thread(() -> stop(process), "stop-anvil-" + process.pid());
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        // OkHttp 5 client of our own: web3j's one-argument HttpService would build one with its
        // logging interceptor, a class this project excludes.
        this.http = new OkHttpClient();
        // Web3j.build(service) would make a CPU-sized pool plus a JVM shutdown hook per instance;
        // nothing here polls, so one daemon thread that close() ends is enough.
        this.web3jExecutor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "local-chain-web3j");
            thread.setDaemon(true);
            return thread;
        });
        this.service = new HttpService(rpcUrl, http);
        this.web3j = Web3j.build(service, 1_000, web3jExecutor);
        this.transactions = new RawTransactionManager(web3j, Credentials.create(DEPLOYER_KEY), CHAIN_ID);
    }

    /**
     * Starts anvil, compiles the test contracts (once per JVM) and deploys them.
     *
     * @throws IllegalStateException when test-servers is not installed or anvil does not come up
     */
    public static LocalChain start() throws IOException {
        Path root = repositoryRoot();
        Path anvil = anvilBinary(root.resolve("test-servers"));
        // Compiled first, so a compiler failure leaves no node behind.
        Map<String, String> bytecode = compiledContracts(root);

        Process process = new ProcessBuilder(
                        anvil.toString(),
                        "--host",
                        "127.0.0.1",
                        // anvil accepts port 0 and prints the port it got in its ready line.
                        "--port",
                        "0",
                        "--chain-id",
                        Long.toString(CHAIN_ID),
                        "--mnemonic",
                        MNEMONIC,
                        "--accounts",
                        "5",
                        "--balance",
                        "1000")
                .redirectErrorStream(true)
                .start();
        NodeOutput output = new NodeOutput();
        // Drained for the node's whole life: it logs every request, and a full pipe would block it.
        Thread reader = new Thread(() -> output.readFrom(process.getInputStream()), "anvil-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();

        LocalChain chain;
        try {
            int ready = output.await(
                    0, line -> LISTENING.matcher(line).find(), deadline(READY_TIMEOUT), "anvil's 'Listening on' line");
            Matcher port = LISTENING.matcher(output.line(ready));
            if (!port.find()) {
                throw new IllegalStateException("unreadable ready line: " + output.line(ready));
            }
            chain = new LocalChain(process, output, "http://127.0.0.1:" + port.group(1));
        } catch (IOException | RuntimeException | Error e) {
            stop(process);
            throw e;
        }
        try {
            chain.deploy(bytecode);
            return chain;
        } catch (IOException | RuntimeException | Error e) {
            chain.close();
            throw e;
        }
    }

    /** {@return the node's JSON-RPC URL, http://127.0.0.1:port} */
    public String rpcUrl() {
        return rpcUrl;
    }

    /** {@return the chain id, 1337} */
    public long chainId() {
        return CHAIN_ID;
    }

    /** {@return the lowercase 0x address of the AgreementStoreManager test contract} */
    public String agreementStoreManager() {
        return addresses.get("AgreementStoreManager");
    }

    /** {@return the lowercase 0x address of the AccessSecretStoreCondition test contract} */
    public String accessSecretStoreCondition() {
        return addresses.get("AccessSecretStoreCondition");
    }

    /** {@return the lowercase 0x address of the ComputeExecutionCondition test contract} */
    public String computeExecutionCondition() {
        return addresses.get("ComputeExecutionCondition");
    }

    /** {@return the lowercase 0x address of the DIDRegistry test contract} */
    public String didRegistry() {
        return addresses.get("DIDRegistry");
    }

    /**
     * Writes the deployed contracts as a keeper-contracts artifacts folder, the way the Python
     * Brizo's {@code keeper.path} holds them: {@code {ContractName}.{network}.json} with the
     * deployed {@code address} and a {@code version}.
     *
     * @return {@code folder}
     */
    public Path writeArtifacts(Path folder, String network) throws IOException {
        Files.createDirectories(folder);
        for (Map.Entry<String, String> contract : addresses.entrySet()) {
            ObjectNode artifact = JSON.createObjectNode();
            artifact.put("name", contract.getKey());
            artifact.putArray("abi");
            artifact.put("address", contract.getValue());
            artifact.put("version", "v0.13.2");
            Files.writeString(
                    folder.resolve(contract.getKey() + "." + network + ".json"), JSON.writeValueAsString(artifact));
        }
        return folder;
    }

    /** {@return a web3j client of this node, closed with it} */
    public Web3j web3j() {
        return web3j;
    }

    /**
     * Records an agreement about {@code didHex} in AgreementStoreManager (updated in the mined
     * block) and emits {@code AgreementActorAdded} for each actor, with {@link
     * #CONSUMER_ACTOR_TYPE}. Ids are 64 hex digits, with or without {@code 0x} (a DID may also be
     * given as {@code did:op:<64 hex>}).
     *
     * @return the mined transaction's receipt
     */
    public synchronized TransactionReceipt createAgreement(
            String agreementIdHex, String didHex, List<String> actorAddresses) throws IOException {
        List<Address> actors = new ArrayList<>();
        List<Bytes32> types = new ArrayList<>();
        for (String actor : actorAddresses) {
            actors.add(address(actor));
            types.add(new Bytes32(Numeric.hexStringToByteArray(CONSUMER_ACTOR_TYPE)));
        }
        return transact(
                agreementStoreManager(),
                "createAgreement",
                bytes32(agreementIdHex),
                bytes32(didHex),
                new DynamicArray<>(Address.class, actors),
                new DynamicArray<>(Bytes32.class, types));
    }

    /** Makes {@code checkPermissions(consumer, did)} of AccessSecretStoreCondition true. */
    public synchronized TransactionReceipt grantAccess(String consumer, String didHex) throws IOException {
        return transact(accessSecretStoreCondition(), "grantPermission", address(consumer), bytes32(didHex));
    }

    /** Makes {@code wasComputeTriggered(did, consumer)} of ComputeExecutionCondition true. */
    public synchronized TransactionReceipt triggerCompute(String didHex, String consumer) throws IOException {
        return transact(computeExecutionCondition(), "fulfill", bytes32(didHex), address(consumer));
    }

    /**
     * Registers {@code didHex} in DIDRegistry from the deployer's account ({@code
     * registerAttribute}, with the deployer as provider), which makes the deployer its owner if it
     * had none; reverts (an exception) when another account owns it.
     */
    public synchronized TransactionReceipt registerDid(String didHex) throws IOException {
        return transact(
                didRegistry(),
                "registerAttribute",
                bytes32(didHex),
                new Bytes32(Hash.sha3(Numeric.hexStringToByteArray(bytes32Hex(didHex)))),
                new DynamicArray<>(Address.class, List.of(new Address(DEPLOYER_ADDRESS))),
                new Utf8String("did:op:" + bytes32Hex(didHex)));
    }

    /**
     * Makes {@code getPermission(did, grantee)} of DIDRegistry true as the DID's owner would:
     * registers the DID from the deployer's account (see {@link #registerDid}), then grants.
     */
    public synchronized TransactionReceipt grantDidPermission(String didHex, String grantee) throws IOException {
        registerDid(didHex);
        return transact(didRegistry(), "grantPermission", bytes32(didHex), address(grantee));
    }

    /** {@return DIDRegistry's {@code getDIDOwner(did)}, a lowercase 0x address (zeros: none)} */
    public String didOwner(String didHex) throws IOException {
        Function f = new Function("getDIDOwner", List.of(bytes32(didHex)), List.of(new TypeReference<Address>() {}));
        return ((Address) call(didRegistry(), f).get(0)).getValue().toLowerCase(Locale.ROOT);
    }

    /** {@return DIDRegistry's {@code getPermission(did, grantee)}} */
    public boolean didPermission(String didHex, String grantee) throws IOException {
        Function f = new Function(
                "getPermission", List.of(bytes32(didHex), address(grantee)), List.of(new TypeReference<Bool>() {}));
        return ((Bool) call(didRegistry(), f).get(0)).getValue();
    }

    /** {@return DIDRegistry's {@code isDIDProvider(did, provider)}} */
    public boolean isDidProvider(String didHex, String provider) throws IOException {
        Function f = new Function(
                "isDIDProvider", List.of(bytes32(didHex), address(provider)), List.of(new TypeReference<Bool>() {}));
        return ((Bool) call(didRegistry(), f).get(0)).getValue();
    }

    /** {@return how many transactions {@code address} has sent (its next nonce)} */
    public long transactionCount(String address) throws IOException {
        return checked(web3j.ethGetTransactionCount(address, DefaultBlockParameterName.LATEST)
                        .send())
                .getTransactionCount()
                .longValueExact();
    }

    @SuppressWarnings("rawtypes")
    private List<Type> call(String contract, Function function) throws IOException {
        EthCall result = checked(web3j.ethCall(
                        Transaction.createEthCallTransaction(null, contract, FunctionEncoder.encode(function)),
                        DefaultBlockParameterName.LATEST)
                .send());
        return FunctionReturnDecoder.decode(result.getValue(), function.getOutputParameters());
    }

    /**
     * Moves the node's clock forward by {@code seconds} and mines a block, so the latest block's
     * timestamp is at least that much later (to test agreement expiry without waiting).
     */
    public synchronized void increaseTime(long seconds) throws IOException {
        if (seconds < 0) {
            throw new IllegalArgumentException("seconds must not be negative: " + seconds);
        }
        rpc("evm_increaseTime", List.of(seconds));
        // evm_mine returns once the block is part of the chain.
        rpc("evm_mine", List.of());
    }

    /** {@return the number of the latest block} */
    public long blockNumber() throws IOException {
        return checked(web3j.ethBlockNumber().send()).getBlockNumber().longValueExact();
    }

    /** {@return the timestamp (seconds since the epoch) of block {@code blockNumber}} */
    public long blockTimestamp(long blockNumber) throws IOException {
        EthBlock.Block block = checked(
                        web3j.ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(blockNumber)), false)
                                .send())
                .getBlock();
        if (block == null) {
            throw new IllegalArgumentException("no block " + blockNumber + " yet");
        }
        return block.getTimestamp().longValueExact();
    }

    /** Stops anvil by its pid: destroy, then destroyForcibly if it does not end in time. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        web3j.shutdown();
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
        stop(process);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // The hook is running or about to: it stops an already stopped process, harmlessly.
        }
    }

    private void deploy(Map<String, String> bytecode) throws IOException {
        for (String name : CONTRACTS) {
            TransactionReceipt receipt = send("", bytecode.get(name), DEPLOY_GAS, true, "deploy " + name);
            if (receipt.getContractAddress() == null) {
                throw new IllegalStateException("deploying " + name + " created no contract");
            }
            addresses.put(name, receipt.getContractAddress().toLowerCase(Locale.ROOT));
        }
    }

    @SuppressWarnings("rawtypes")
    private TransactionReceipt transact(String contract, String function, Type... arguments) throws IOException {
        String data = FunctionEncoder.encode(new Function(function, List.of(arguments), List.of()));
        return send(contract, data, CALL_GAS, false, function);
    }

    /** Sends a signed transaction and waits until anvil has mined it; fails on a revert. */
    private TransactionReceipt send(String to, String data, BigInteger gas, boolean create, String what)
            throws IOException {
        int mark = output.size();
        EthSendTransaction sent = transactions.sendTransaction(GAS_PRICE, gas, to, data, BigInteger.ZERO, create);
        if (sent.hasError()) {
            throw new IOException(
                    what + " was refused by the node: " + sent.getError().getMessage());
        }
        TransactionReceipt receipt = awaitReceipt(sent.getTransactionHash(), mark, what);
        if (!receipt.isStatusOK()) {
            throw new IllegalStateException(what + " reverted: " + receipt.getRevertReason() + output.tail());
        }
        return receipt;
    }

    /**
     * Waits on anvil's own output rather than polling: in automine mode it prints "Transaction:
     * 0x&lt;hash&gt;" and then "Block Number: n" once the transaction is in a block.
     */
    private TransactionReceipt awaitReceipt(String hash, int mark, String what) throws IOException {
        Instant deadline = deadline(MINING_TIMEOUT);
        String txLine = "Transaction: " + hash;
        int found =
                output.await(mark, line -> line.trim().equalsIgnoreCase(txLine), deadline, what + " (" + hash + ")");
        int seen = output.await(found + 1, line -> line.trim().startsWith("Block Number:"), deadline, "its block");
        while (true) {
            TransactionReceipt receipt = checked(
                            web3j.ethGetTransactionReceipt(hash).send())
                    .getTransactionReceipt()
                    .orElse(null);
            if (receipt != null) {
                return receipt;
            }
            // Not stored yet although announced: retry after the node's next output line (each
            // request is logged, so this stays bounded by the node's pace and the deadline).
            seen = output.await(seen + 1, line -> true, deadline, "the receipt of " + what);
        }
    }

    private void rpc(String method, List<?> params) throws IOException {
        JsonRpcResult response = new Request<>(method, params, service, JsonRpcResult.class).send();
        checked(response);
    }

    private <T extends Response<?>> T checked(T response) throws IOException {
        if (response.hasError()) {
            throw new IOException(
                    "node answered an error: " + response.getError().getMessage());
        }
        return response;
    }

    private static String bytes32Hex(String hex) {
        Matcher m = HEX_ID.matcher(hex);
        if (!m.matches()) {
            throw new IllegalArgumentException("not 64 hex digits (0x optional): " + hex);
        }
        return m.group(1).toLowerCase(Locale.ROOT);
    }

    private static Bytes32 bytes32(String hex) {
        Matcher m = HEX_ID.matcher(hex);
        if (!m.matches()) {
            throw new IllegalArgumentException("not 64 hex digits (0x optional): " + hex);
        }
        return new Bytes32(Numeric.hexStringToByteArray(m.group(1)));
    }

    private static Address address(String hex) {
        if (!ADDRESS.matcher(hex).matches()) {
            throw new IllegalArgumentException("not an 0x address of 40 hex digits: " + hex);
        }
        return new Address(hex);
    }

    private static Instant deadline(Duration timeout) {
        return Instant.now().plus(timeout);
    }

    private static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The folder holding test-servers/, found by walking up from the working directory. */
    static Path repositoryRoot() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("test-servers").resolve("package.json"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no test-servers/package.json in " + start + " or any folder above it");
    }

    /**
     * The anvil binary of this platform's npm package. Started directly, not through the package's
     * {@code anvil} wrapper script, which runs it as a child: stopping the wrapper would leave the
     * node running.
     */
    static Path anvilBinary(Path testServers) {
        Path modules = requireInstalled(testServers);
        String exe = isWindows() ? "anvil.exe" : "anvil";
        List<Path> candidates = List.of(
                modules.resolve("@foundry-rs")
                        .resolve("anvil-" + platform())
                        .resolve("bin")
                        .resolve(exe),
                // Where the package's postinstall puts the binary when the platform package was
                // not installed.
                modules.resolve("@foundry-rs").resolve("anvil").resolve(exe));
        for (Path candidate : candidates) {
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no anvil binary at " + candidates + ": run test-servers/install.sh");
    }

    private static Path requireInstalled(Path testServers) {
        Path modules = testServers.resolve("node_modules");
        if (!Files.isDirectory(modules)) {
            throw new IllegalStateException(
                    "test-servers is not installed (no " + modules + "): run test-servers/install.sh");
        }
        return modules;
    }

    /** The os-arch suffix of @foundry-rs/anvil's platform packages, e.g. linux-amd64. */
    private static String platform() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String npmOs = os.startsWith("linux") ? "linux" : os.startsWith("mac") ? "darwin" : isWindows() ? "win32" : os;
        String npmArch = arch.equals("amd64") || arch.equals("x86_64")
                ? "amd64"
                : arch.equals("aarch64") || arch.equals("arm64") ? "arm64" : arch;
        return npmOs + "-" + npmArch;
    }

    private static boolean isWindows() {
        return System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("windows");
    }

    /** Contract name to creation bytecode (0x hex), compiled by solc-js once per JVM. */
    private static synchronized Map<String, String> compiledContracts(Path root) throws IOException {
        if (compiledBytecode == null) {
            compiledBytecode = compile(root);
        }
        return compiledBytecode;
    }

    private static Map<String, String> compile(Path root) throws IOException {
        Path solcJs =
                requireInstalled(root.resolve("test-servers")).resolve("solc").resolve("solc.js");
        if (!Files.isRegularFile(solcJs)) {
            throw new IllegalStateException("no " + solcJs + ": run test-servers/install.sh");
        }
        Path source = root.resolve("brizo-verifier-keeper/src/test/solidity").resolve(SOURCE);

        ObjectNode input = JSON.createObjectNode().put("language", "Solidity");
        input.putObject("sources").putObject(SOURCE).put("content", Files.readString(source));
        ObjectNode settings = input.putObject("settings");
        // solc 0.8.37 defaults to osaka; cancun is what anvil and today's mainnet both run.
        settings.put("evmVersion", "cancun");
        settings.putObject("outputSelection").putObject(SOURCE).putArray("*").add("evm.bytecode.object");

        Process solc = new ProcessBuilder("node", solcJs.toString(), "--standard-json").start();
        try {
            CompletableFuture<String> stdout = readAllAsync(solc.getInputStream());
            CompletableFuture<String> stderr = readAllAsync(solc.getErrorStream());
            try (OutputStream stdin = solc.getOutputStream()) {
                stdin.write(JSON.writeValueAsBytes(input));
            }
            long timeout = COMPILE_TIMEOUT.toMillis();
            if (!solc.waitFor(timeout, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("solc-js did not finish within " + COMPILE_TIMEOUT);
            }
            String out = stdout.get(timeout, TimeUnit.MILLISECONDS);
            String err = stderr.get(timeout, TimeUnit.MILLISECONDS);
            if (solc.exitValue() != 0) {
                throw new IllegalStateException("solc-js exited with " + solc.exitValue() + ": " + err + out);
            }
            return bytecodeOf(out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while compiling " + SOURCE);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("reading solc-js output failed", e);
        } finally {
            solc.destroyForcibly();
        }
    }

    private static Map<String, String> bytecodeOf(String out) throws IOException {
        // solc-js prints lines such as ">>> Cannot retry compilation with SMT because there are no
        // SMT solvers available." before the JSON document in standard-JSON mode.
        int start = out.startsWith("{") ? 0 : out.indexOf("\n{");
        if (start < 0) {
            throw new IllegalStateException("no JSON in solc-js output: " + out);
        }
        JsonNode result = JSON.readTree(out.substring(start));
        List<String> errors = new ArrayList<>();
        for (JsonNode error : result.path("errors")) {
            if ("error".equals(error.path("severity").asText())) {
                errors.add(error.path("formattedMessage").asText());
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException("compiling " + SOURCE + " failed:\n" + String.join("\n", errors));
        }
        Map<String, String> bytecode = new LinkedHashMap<>();
        for (String name : CONTRACTS) {
            String object = result.path("contracts")
                    .path(SOURCE)
                    .path(name)
                    .path("evm")
                    .path("bytecode")
                    .path("object")
                    .asText();
            if (object.isEmpty()) {
                throw new IllegalStateException("solc-js returned no bytecode for " + name);
            }
            bytecode.put(name, "0x" + object);
        }
        return Collections.unmodifiableMap(bytecode);
    }

    private static CompletableFuture<String> readAllAsync(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** A JSON-RPC answer whose result is not needed beyond "no error". */
    static final class JsonRpcResult extends Response<Object> {}

    /**
     * anvil's stdout and stderr, line by line, for the life of the process: the ready line and
     * the mining notices are waited for here (with deadlines) instead of sleeping and polling.
     */
    private static final class NodeOutput {
        private final List<String> lines = new ArrayList<>();
        private boolean ended;

        void readFrom(InputStream in) {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    synchronized (this) {
                        lines.add(line);
                        notifyAll();
                    }
                }
            } catch (IOException streamClosedWhenStopped) {
                // The process was stopped: nothing more to read.
            } finally {
                synchronized (this) {
                    ended = true;
                    notifyAll();
                }
            }
        }

        synchronized int size() {
            return lines.size();
        }

        synchronized String line(int index) {
            return lines.get(index);
        }

        /** {@return the index of the first line at or after {@code from} that matches} */
        synchronized int await(int from, Predicate<String> matches, Instant deadline, String what)
                throws InterruptedIOException {
            int i = from;
            while (true) {
                for (; i < lines.size(); i++) {
                    if (matches.test(lines.get(i))) {
                        return i;
                    }
                }
                if (ended) {
                    throw new IllegalStateException("anvil's output ended while waiting for " + what + tail());
                }
                long left = Duration.between(Instant.now(), deadline).toMillis();
                if (left <= 0) {
                    throw new IllegalStateException("timed out waiting for " + what + tail());
                }
                try {
                    wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for " + what);
                }
            }
        }

        synchronized String tail() {
            List<String> last = lines.subList(Math.max(0, lines.size() - 20), lines.size());
            return "\nlast lines of anvil's output:\n" + String.join("\n", last);
        }
    }
}
