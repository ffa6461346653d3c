package io.brizo.compute.local;

import io.brizo.spi.BrizoException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The machine's NVIDIA GPUs, as {@code nvidia-smi --query-gpu=index,name,memory.total,driver_version
 * --format=csv,noheader} lists them, one line each: {@code 0, NVIDIA H200, 143771 MiB, 580.159.04}.
 */
final class Gpus {
    /** The query, exactly as run. */
    static final List<String> QUERY =
            List.of("--query-gpu=index,name,memory.total,driver_version", "--format=csv,noheader");

    private static final long TIMEOUT_SECONDS = 15;
    private static final int MAX_OUTPUT = 1 << 16;

    private Gpus() {}

    /**
     * One GPU.
     *
     * @param index its index, as nvidia-smi numbers it (PCI bus order), which is also its device
     *     node's number, {@code /dev/nvidia<index>}
     * @param name its model
     * @param memoryMiB its memory in MiB
     * @param driver the driver's version
     */
    record Gpu(int index, String name, long memoryMiB, String driver) {
        /** {@return the GPU as the environment's description shows it} */
        String describe() {
            return index + ": " + name + ", " + memoryMiB + " MiB, driver " + driver;
        }
    }

    /**
     * {@return the GPUs {@code nvidiaSmi} lists}
     *
     * @throws BrizoException of kind CONFIGURATION if it fails, hangs or prints something else
     */
    static List<Gpu> detect(Path nvidiaSmi) {
        List<String> command = new ArrayList<>();
        command.add(nvidiaSmi.toString());
        command.addAll(QUERY);
        Process p;
        try {
            p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw BrizoException.configuration("nvidia-smi could not be started: " + e.getMessage());
        }
        try (InputStream in = p.getInputStream()) {
            byte[] out = in.readNBytes(MAX_OUTPUT);
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw BrizoException.configuration("nvidia-smi did not answer within " + TIMEOUT_SECONDS + " s");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw BrizoException.configuration(
                        "nvidia-smi failed with exit code " + p.exitValue() + ": " + firstLine(text));
            }
            return parse(text);
        } catch (IOException e) {
            p.destroyForcibly();
            throw BrizoException.configuration("reading nvidia-smi's answer failed: " + e.getMessage());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw BrizoException.configuration("interrupted while waiting for nvidia-smi");
        }
    }

    /** {@return the GPUs of nvidia-smi's CSV answer, sorted by index} */
    static List<Gpu> parse(String csv) {
        List<Gpu> gpus = new ArrayList<>();
        for (String line : csv.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",");
            if (f.length != 4) {
                throw malformed(line);
            }
            try {
                int index = Integer.parseInt(f[0].trim());
                String memory = f[2].trim();
                if (index < 0 || !memory.endsWith(" MiB")) {
                    throw malformed(line);
                }
                long mib =
                        Long.parseLong(memory.substring(0, memory.length() - 4).trim());
                gpus.add(new Gpu(index, f[1].trim(), mib, f[3].trim()));
            } catch (NumberFormatException e) {
                throw malformed(line);
            }
        }
        gpus.sort(java.util.Comparator.comparingInt(Gpu::index));
        return List.copyOf(gpus);
    }

    private static BrizoException malformed(String line) {
        return BrizoException.configuration("nvidia-smi printed a line that is not index, name, memory.total,"
                + " driver_version: '" + firstLine(line) + "'");
    }

    private static String firstLine(String text) {
        String line = text.strip().lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
