package dev.rebound.modelserver;

/**
 * One request the {@link ModelServer} received, in arrival order.
 *
 * @param sequence 1-based arrival number across all models
 * @param model the {@code model} of the request body
 * @param promptDigest {@link ModelServer#digest} of the prompt
 * @param fault what the server did with it: the fault served, as the request got it (a
 *     {@code cutMidStream} served to a request that does not stream is a dropped connection; a response
 *     that could not begin is a dropped connection too); compared by value, as {@link Fault} is
 * @param streamed whether the request asked for a stream ({@code "stream": true})
 */
public record ServedRequest(int sequence, String model, String promptDigest, Fault fault, boolean streamed) {

    /** A request that did not ask for a stream. */
    public ServedRequest(int sequence, String model, String promptDigest, Fault fault) {
        this(sequence, model, promptDigest, fault, false);
    }
}
