package io.brizo.storage.azure;

import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.BlockBlobItem;
import com.azure.storage.blob.options.BlockBlobCommitBlockListOptions;
import com.azure.storage.blob.options.BlockBlobSimpleUploadOptions;
import com.azure.storage.blob.specialized.BlockBlobClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;

/**
 * Uploads a stream of unknown length to a block blob with bounded memory: data that fits in one
 * block goes in one Put Blob; anything larger is staged block by block, at most {@code
 * concurrency} blocks in flight and one more being read, then committed in one request. Nothing
 * is visible until that last request, so a failure leaves the previous version in place (Azure
 * discards uncommitted blocks by itself).
 *
 * <p>The SDK's own upload of an {@code InputStream} without a length reads ahead without bound
 * (a 1 GiB stream exhausted a 6 GiB heap); this class is why the driver does not use it.
 *
 * <p>Each block carries its MD5, which Azure checks; the whole object's MD5 is stored as the
 * blob's {@code Content-MD5}, so {@code stat} reports it for staged uploads too.
 */
final class BlockUpload {
    /** What was uploaded: the service's answer and the number of bytes. */
    record Result(BlockBlobItem item, long size, byte[] md5) {}

    private final BlockBlobClient blob;
    private final int blockSize;
    private final int concurrency;
    private final Executor executor;

    BlockUpload(BlockBlobClient blob, int blockSize, int concurrency, Executor executor) {
        this.blob = blob;
        this.blockSize = blockSize;
        this.concurrency = concurrency;
        this.executor = executor;
    }

    /**
     * Uploads {@code data} to its end.
     *
     * @throws IOException if reading {@code data} fails
     * @throws RuntimeException what the SDK throws when Azure refuses or fails
     */
    Result upload(InputStream data, BlobHttpHeaders headers) throws IOException {
        MessageDigest whole = md5();
        byte[] first = data.readNBytes(blockSize);
        byte[] second = first.length < blockSize ? new byte[0] : data.readNBytes(blockSize);
        whole.update(first);
        if (second.length == 0) {
            byte[] md5 = whole.digest();
            BlockBlobItem item = blob.uploadWithResponse(
                            new BlockBlobSimpleUploadOptions(BinaryData.fromBytes(first))
                                    .setHeaders(headers)
                                    .setContentMd5(md5),
                            null,
                            Context.NONE)
                    .getValue();
            return new Result(item, first.length, md5);
        }

        // Ids must have one length within a blob; the prefix keeps them apart from the blocks
        // of an earlier, failed upload of the same blob.
        String prefix = UUID.randomUUID().toString().substring(0, 8);
        List<String> ids = new ArrayList<>();
        List<CompletableFuture<Void>> inFlight = new ArrayList<>();
        Semaphore slots = new Semaphore(concurrency);
        long size = 0;
        try {
            for (byte[] block = first; block.length > 0; ) {
                String id = Base64.getEncoder()
                        .encodeToString(
                                String.format("%s-%08d", prefix, ids.size()).getBytes(StandardCharsets.US_ASCII));
                ids.add(id);
                size += block.length;
                stage(id, block, slots, inFlight);
                if (block == first) {
                    block = second;
                } else {
                    // Read while up to `concurrency` blocks are on their way.
                    block = data.readNBytes(blockSize);
                }
                whole.update(block);
            }
            for (CompletableFuture<Void> f : inFlight) {
                join(f);
            }
        } catch (IOException | RuntimeException e) {
            // Every staging task holds a slot until it ends: taking them all waits for the blocks
            // in flight, so none outlives the call. They stay uncommitted.
            slots.acquireUninterruptibly(concurrency);
            throw e;
        }
        byte[] md5 = whole.digest();
        BlockBlobItem item = blob.commitBlockListWithResponse(
                        new BlockBlobCommitBlockListOptions(ids).setHeaders(headers.setContentMd5(md5)),
                        null,
                        Context.NONE)
                .getValue();
        return new Result(item, size, md5);
    }

    /** Starts staging one block once a slot is free; fails early if a block already failed. */
    private void stage(String id, byte[] block, Semaphore slots, List<CompletableFuture<Void>> inFlight) {
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
        for (CompletableFuture<Void> f : inFlight) {
            if (f.isCompletedExceptionally()) {
                slots.release();
                join(f);
            }
        }
        CompletableFuture<Void> task = new CompletableFuture<>();
        inFlight.add(task);
        try {
            executor.execute(() -> {
                try {
                    blob.stageBlockWithResponse(
                            id,
                            new ByteArrayInputStream(block),
                            block.length,
                            md5().digest(block),
                            null,
                            null,
                            Context.NONE);
                    task.complete(null);
                } catch (RuntimeException | Error e) {
                    task.completeExceptionally(e);
                } finally {
                    slots.release();
                }
            });
        } catch (RuntimeException e) {
            slots.release();
            task.completeExceptionally(e);
            throw e;
        }
    }

    /** Waits for one block and rethrows its failure as the SDK threw it. */
    private static void join(CompletableFuture<Void> f) {
        try {
            f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new CompletionException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has MD5", e);
        }
    }
}
