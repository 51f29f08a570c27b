package dev.rebound.runtime.rules;

import java.util.Map;

/**
 * Whether a result predicate ({@code @Retry.onResult}, {@code @Fallback.onResult},
 * {@code RetryPolicy.Builder.retryOnResult}, {@code fallbackOnResult}) can ever judge the result of the
 * method it is put on. A predicate judges what its class declares ({@code Predicate<T>}'s {@code T}),
 * or, for the ready-made langchain4j predicates that take any result but read what only one type
 * carries, that type ({@link #judged}); a method whose declared result can never be one would have its
 * predicate never reject: {@code ChatResults.Truncated} on {@code ChatModel.chat(String)}, whose text has
 * no finish reason. The facts come from reflection (the annotation reader and {@code Rebound.wrap}) or
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
     * Whether a method declared to return {@code returned} (a binary name) has a result a predicate
     * judges as declared: not {@code void}, not a {@code CompletionStage} or {@code CompletableFuture}
     * (whose value is judged, a type the declaration does not give after erasure).
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
     * returns: it would never reject a result (...)"}.
     *
     * @param attribute {@code "@Retry.onResult"}, {@code "@Fallback.onResult"},
     *     {@code "RetryPolicy.Builder.retryOnResult"} or {@code "fallbackOnResult"}
     * @param predicate the predicate's class, a binary name
     * @param judged what it judges ({@link #judged})
     * @param returned what the method is declared to return (primitives boxed)
     */
    public static String neverJudges(String attribute, String predicate, String judged, String returned) {
        return attribute + " " + predicate + " judges a " + judged + ", which a method returning " + returned
                + " never returns: it would never reject a result (declare the method to return " + judged
                + (CHAT_RESPONSE.equals(judged) ? ", as ChatModel.chat(ChatRequest) does, since a String has no"
                        + " finish reason" : "") + ", or name a predicate of " + returned + ")";
    }
}
