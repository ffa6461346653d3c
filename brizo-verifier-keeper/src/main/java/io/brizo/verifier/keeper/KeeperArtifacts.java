package io.brizo.verifier.keeper;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.brizo.spi.BrizoException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The keeper-contracts artifacts folder of the Python Brizo ({@code keeper.path}, {@code
 * KEEPER_PATH}): one {@code {ContractName}.{network}.json} per deployed contract, its deployed
 * address in the {@code address} field, as squid-py and ocean-keeper read it. The network name
 * comes from the chain id, with the names those libraries used.
 *
 * @param network the network name of the files read
 * @param addresses each contract's address by contract name (lower-case hex)
 * @param version the keeper-contracts version the artifacts carry (OceanToken's, as the original
 *     announced it, else DIDRegistry's), or null
 */
record KeeperArtifacts(String network, Map<String, String> addresses, String version) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");

    /** The chain ids the Ocean networks had; any other chain is {@code development}. */
    private static final Map<Long, String> NETWORK_NAMES = Map.ofEntries(
            Map.entry(1L, "Main"),
            Map.entry(2L, "Morden"),
            Map.entry(3L, "Ropsten"),
            Map.entry(4L, "Rinkeby"),
            Map.entry(42L, "Kovan"),
            Map.entry(77L, "POA_Sokol"),
            Map.entry(99L, "POA_Core"),
            Map.entry(2199L, "duero"),
            Map.entry(8995L, "nile"),
            Map.entry(8996L, "spree"),
            Map.entry(0xcea11L, "pacific"));

    /** {@return the network name the original used for artifacts of chain {@code chainId}} */
    static String networkName(long chainId) {
        return NETWORK_NAMES.getOrDefault(chainId, "development");
    }

    /**
     * Reads every {@code *.{network}.json} of {@code folder} (names compared without regard to
     * case, as the published artifacts vary). A file without a valid {@code address} is left out.
     *
     * @throws BrizoException of kind CONFIGURATION when the folder cannot be listed, naming the
     *     setting and never the path
     */
    static KeeperArtifacts read(Path folder, String network) {
        if (!Files.isDirectory(folder)) {
            throw BrizoException.configuration(
                    "KEEPER_PATH (keeper.path) is not a readable folder of keeper-contracts artifacts; point it at"
                            + " the folder with the {ContractName}." + network + ".json files");
        }
        String suffix = "." + network.toLowerCase(Locale.ROOT) + ".json";
        Map<String, String> addresses = new TreeMap<>();
        Map<String, String> versions = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (!name.toLowerCase(Locale.ROOT).endsWith(suffix) || !Files.isRegularFile(file)) {
                    continue;
                }
                String contract = name.substring(0, name.length() - suffix.length());
                JsonNode artifact;
                try {
                    artifact = JSON.readTree(file.toFile());
                } catch (IOException e) {
                    // A file that is not JSON only matters if its contract is needed; see require.
                    continue;
                }
                JsonNode address = artifact == null ? null : artifact.get("address");
                if (address != null
                        && address.isTextual()
                        && ADDRESS.matcher(address.asText()).matches()) {
                    addresses.put(contract, address.asText().toLowerCase(Locale.ROOT));
                    JsonNode version = artifact.get("version");
                    if (version != null && version.isTextual()) {
                        versions.put(contract, version.asText());
                    }
                }
            }
        } catch (IOException e) {
            throw BrizoException.configuration("KEEPER_PATH (keeper.path) cannot be listed ("
                    + e.getClass().getSimpleName() + "); check the folder's permissions");
        }
        String version = versions.getOrDefault("OceanToken", versions.get("DIDRegistry"));
        return new KeeperArtifacts(network, java.util.Collections.unmodifiableMap(addresses), version);
    }

    /** {@return the file name the address of {@code contract} is read from} */
    String fileName(String contract) {
        return contract + "." + network + ".json";
    }
}
