package dev.rebound.runtime.rules;

import java.util.Map;

/**
 * Whether a result predicate ({@code @Retry.onResult}, {@code @Fallback.onResult},
 * {@code RetryPolicy.Builder.retryOnResult}, {@code fallbackOnResult}) can ever judge the result of the
 * method it is put on. A predicate judges what its class declares ({@code Predicate<T>}'s {@code T}),
 * or, for the ready-made langchain4j predicates that take any result but read what only one type
 * carries, that type ({@link #judged}); a method whose declared result can never be one would have its
 * predicate never reject: {@code ChatResults.Truncated} on {@code ChatModel.chat(String)}, whose text has
 * no finish reason. On a method returning a {@code CompletionStage<T>} or {@code CompletableFuture<T>} the
 * predicate judges the value the future completes with, so {@code T} is what is checked: {@code Truncated}
 * on {@code CompletableFuture<String> chat(String)} never rejects either. The facts come from reflection (the annotation reader and {@code Rebound.wrap}) or
 * from javac's model (the processor); the words come from here.
 */
public final class ResultPredicateRules {

    /** langchain4j's answer with its finish reason. */
    private static final String CHAT_RESPONSE = "dev.langchain4j.model.chat.response.ChatResponse";

    /**
     * Predicates declared over {@code Object} that read only one type (binary names): they accept any
     * result and never reject anything else.
     */
    private static final Map<String, String> READS_ONLY = Map.of(
            "dev.rebound.runtime.langchain4j.ChatResults$Truncated", CHAT_RESPONSE,
            "dev.rebound.runtime.langchain4j.ChatResults$ContentFiltered", CHAT_RESPONSE);

    private ResultPredicateRules() {
    }

    /**
     * The binary name of what the predicate class {@code predicate} judges: the one type it reads if it is
     * one of the ready-made predicates that read one type only, else {@code declared}, the erasure of its
     * {@code Predicate<T>}'s {@code T} (null when unknown: a lambda, a type variable).
     */
    public static String judged(String predicate, String declared) {
        return READS_ONLY.getOrDefault(predicate, declared);
    }

    /**
     * Whether a result of type {@code returned} (a binary name) is judged as declared: not {@code void},
     * not itself a {@code CompletionStage} or {@code CompletableFuture}. A method returning one of those
     * has its predicate judge the value it completes with: the caller checks the future's type argument
     * instead (skipped when that is unknown: raw, a type variable, a wildcard).
     */
    public static boolean checked(String returned) {
        return !"void".equals(returned) && !MethodRules.isAsyncResult(returned);
    }

    /**
     * Whether a value of type {@code returned} can also be a {@code judged} (Java's cast rule): one is a
     * subtype of the other, or one is an interface and the other a class that is not final.
     *
     * @param related whether either type is assignable to the other
     */
    public static boolean canBeBoth(boolean related, boolean judgedInterface, boolean judgedFinal,
            boolean returnedInterface, boolean returnedFinal) {
        if (related) {
            return true;
        }
        if (judgedInterface && returnedInterface) {
            return true;
        }
        return judgedInterface ? !returnedInterface && !returnedFinal : returnedInterface && !judgedFinal;
    }

    /**
     * {@code "@Fallback.onResult dev.rebound.runtime.langchain4j.ChatResults$Truncated judges a
     * dev.langchain4j.model.chat.response.ChatResponse, which a method returning java.lang.String never
     * returns: it would never reject a result (...)"}; for a method returning a future, {@code "..., which a
     * method returning java.util.concurrent.CompletableFuture<java.lang.String> never completes with: ..."}.
     *
     * @param attribute {@code "@Retry.onResult"}, {@code "@Fallback.onResult"},
     *     {@code "RetryPolicy.Builder.retryOnResult"} or {@code "fallbackOnResult"}
     * @param predicate the predicate's class, a binary name
     * @param judged what it judges ({@link #judged})
     * @param future the method's declared {@code CompletionStage} or {@code CompletableFuture} (a binary
     *     name), whose value the predicate judges; null for a method that returns its result
     * @param result the result the predicate is given: what the method is declared to return (primitives
     *     boxed), or the erasure of its future's type argument
     */
    public static String neverJudges(String attribute, String predicate, String judged, String future,
            String result) {
        String returned = future == null ? result : future + "<" + result + ">";
        return attribute + " " + predicate + " judges a " + judged + ", which a method returning " + returned
                + (future == null ? " never returns" : " never completes with")
                + ": it would never reject a result (declare the method to return "
                + (future == null ? judged : future + "<" + judged + ">")
                + (CHAT_RESPONSE.equals(judged) ? (future == null ? ", as ChatModel.chat(ChatRequest) does" : "")
                        + ", since a String has no finish reason" : "")
                + ", or name a predicate of " + result + ")";
    }
}
