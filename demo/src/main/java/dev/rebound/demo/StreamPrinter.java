package dev.rebound.demo;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import java.io.PrintStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The caller's handler in {@code --stream} mode: prints each token as it arrives, under the attempt
 * table (which the first token closes), and hands the ending to the demo.
 */
final class StreamPrinter implements StreamingChatResponseHandler {

    private final PrintStream out;
    private final EventPrinter table;
    private final StringBuilder text = new StringBuilder();
    private final CompletableFuture<Throwable> ended = new CompletableFuture<>();
    private boolean started;
    private boolean cutOff;

    StreamPrinter(PrintStream out, EventPrinter table) {
        this.out = out;
        this.table = table;
    }

    @Override
    public synchronized void onPartialResponse(String token) {
        if (!started) {
            started = true;
            table.firstAttemptSucceeded();
            out.println();
            out.print("Answer (streamed): ");
        }
        text.append(token);
        out.print(token);
        out.flush();
    }

    @Override
    public synchronized void onCompleteResponse(ChatResponse completeResponse) {
        cutOff = completeResponse.finishReason() == FinishReason.LENGTH;
        if (started) {
            out.println(cutOff ? " [cut off]" : "");
        }
        ended.complete(null);
    }

    @Override
    public synchronized void onError(Throwable error) {
        if (started) {
            out.println(" [cut]");
        }
        ended.complete(error);
    }

    /** Waits for the stream's one ending: null when complete, else the failure. */
    Throwable awaitEnd() {
        try {
            return ended.get(2, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e;
        } catch (ExecutionException | TimeoutException e) {
            return e;
        }
    }

    /** Whether the stream ended normally but its answer was cut off by the token limit (finish_reason length). */
    synchronized boolean cutOff() {
        return cutOff;
    }

    synchronized String text() {
        return text.toString();
    }
}
