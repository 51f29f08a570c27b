package dev.rebound.runtime.langchain4j;

/**
 * A streamed answer that failed after its first partial response had reached the caller's handler.
 * Rebound never restarts such a stream (the caller would see tokens twice) and never passes it off
 * as complete: the handler's {@code onError} gets this exception, with the text received so far
 * and the failure as its cause.
 *
 * <pre>{@code
 * public void onError(Throwable error) {
 *     if (error instanceof PartialStreamException broken) {
 *         show(broken.partialText() + " [answer cut short]");
 *     }
 * }
 * }</pre>
 *
 * <p>The message names only the counts; the text is reachable through {@link #partialText()} alone,
 * so logging the exception does not log the answer.
 */
public final class PartialStreamException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String partialText;
    private final int partialResponses;

    /**
     * @param partialText the concatenated text of the partial responses delivered (not null)
     * @param partialResponses how many partial responses were delivered (at least 1)
     * @param cause the failure that broke the stream
     */
    public PartialStreamException(String partialText, int partialResponses, Throwable cause) {
        super("the stream failed after " + partialResponses + " partial responses ("
                + partialText.length() + " characters)", cause);
        this.partialText = partialText;
        this.partialResponses = partialResponses;
    }

    /** The text the caller's handler received before the failure, in order; never null. */
    public String partialText() {
        return partialText;
    }

    /** How many partial responses the caller's handler received before the failure. */
    public int partialResponses() {
        return partialResponses;
    }
}
