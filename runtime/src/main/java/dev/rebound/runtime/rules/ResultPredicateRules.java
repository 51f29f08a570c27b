package dev.rebound.runtime.rules;

import java.util.List;
import java.util.Map;

/**
 * Whether a result predicate ({@code @Retry.onResult}, {@code @Fallback.onResult},
 * {@code RetryPolicy.Builder.retryOnResult}, {@code fallbackOnResult}) can ever judge the result of the
 * method it is put on. A predicate judges what its class declares ({@code Predicate<T>}'s {@code T}),
 * or, for the ready-made langchain4j predicates that take any result but read what only some types
 * carry, those types ({@link #judged}); a method whose declared result can never be one of them would have
 * its predicate never reject: {@code ChatResults.Truncated} on {@code ChatModel.chat(String)}, whose text has
 * no finish reason, {@code ChatResults.Blank} on a method returning {@code Integer}. On a method returning a {@code CompletionStage<T>} or {@code CompletableFuture<T>} the
 * predicate judges the value the future completes with, so {@code T} is what is checked: {@code Truncated}
 * on {@code CompletableFuture<String> chat(String)} never rejects either. The facts come from reflection (the annotation reader and {@code Rebound.wrap}) or
 * from javac's model (the processor); the words come from here.
 */
public final class ResultPredicateRules {

    /** langchain4j's answer with its finish reason. */
    private static final String CHAT_RESPONSE = "dev.langchain4j.model.chat.response.ChatResponse";
    /** An AiServices method's answer with its finish reason ({@code Result<String>}, langchain4j's AiServices). */
    private static final String AI_SERVICES_RESULT = "dev.langchain4j.service.Result";
    /** What a finish-reason predicate reads. */
    private static final List<String> FINISH_REASON = List.of(CHAT_RESPONSE, AI_SERVICES_RESULT);

    /**
     * Predicates declared over {@code Object} that read only some types (binary names): they accept any
     * result and never reject anything else (but, for {@code Blank}, null).
     */
    private static final Map<String, List<String>> READS_ONLY = Map.of(
            "dev.rebound.runtime.langchain4j.ChatResults$Truncated", FINISH_REASON,
            "dev.rebound.runtime.langchain4j.ChatResults$ContentFiltered", FINISH_REASON,
            "dev.rebound.runtime.langchain4j.ChatResults$Blank", List.of(CHAT_RESPONSE,
                    "dev.langchain4j.data.message.AiMessage", "java.lang.String", AI_SERVICES_RESULT));

    private ResultPredicateRules() {
    }

    /**
     * The binary names of what the predicate class {@code predicate} judges: the types it reads if it is one
     * of the ready-made predicates that read some types only, else {@code declared}, the erasure of its
     * {@code Predicate<T>}'s {@code T} (empty when unknown: a lambda, a type variable). A result judged
     * by none of them is never judged: a check of each against the method's result is the caller's, each
     * type it cannot load (an optional library absent) left out.
     */
    public static List<String> judged(String predicate, String declared) {
        List<String> reads = READS_ONLY.get(predicate);
        return reads != null ? reads : declared == null ? List.of() : List.of(declared);
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
     * {@code "@Retry.onResult app.Short judges a java.lang.String, which a method returning java.lang.Integer
     * never returns: it would never reject a result (declare the method to return java.lang.String, or name
     * a predicate of java.lang.Integer)"}; for a method returning a future, {@code "..., which a method
     * returning java.util.concurrent.CompletableFuture<java.lang.Integer> never completes with: ..."}. A
     * finish-reason predicate ({@code ChatResults.Truncated}, {@code ContentFiltered}) judges {@code "a
     * dev.langchain4j.model.chat.response.ChatResponse or a dev.langchain4j.service.Result"}, and the remedy
     * names both and says why the declared result cannot be judged ({@code "since a String has no finish
     * reason"}, {@code "since an AiMessage ..."}).
     *
     * @param attribute {@code "@Retry.onResult"}, {@code "@Fallback.onResult"},
     *     {@code "RetryPolicy.Builder.retryOnResult"} or {@code "fallbackOnResult"}
     * @param predicate the predicate's class, a binary name
     * @param judged what it judges ({@link #judged}), not empty
     * @param future the method's declared {@code CompletionStage} or {@code CompletableFuture} (a binary
     *     name), whose value the predicate judges; null for a method that returns its result
     * @param result the result the predicate is given: what the method is declared to return (primitives
     *     boxed), or the erasure of its future's type argument
     */
    public static String neverJudges(String attribute, String predicate, List<String> judged, String future,
            String result) {
        String returned = future == null ? result : future + "<" + result + ">";
        String remedy;
        if (judged.size() == 1) {
            remedy = future == null ? judged.get(0) : future + "<" + judged.get(0) + ">";
        } else if (judged.equals(FINISH_REASON)) {
            remedy = (future == null ? CHAT_RESPONSE + ", as ChatModel.chat(ChatRequest) does, or " + AI_SERVICES_RESULT
                    + ", as an AiServices method can" : future + "<" + CHAT_RESPONSE + ">")
                    + ", since " + withArticle(result.substring(result.lastIndexOf('.') + 1).replace('$', '.'))
                    + " has no finish reason";
        } else {
            remedy = future == null ? "one of them" : future + " of one of them";
        }
        return attribute + " " + predicate + " judges " + listed(judged) + ", which a method returning " + returned
                + (future == null ? " never returns" : " never completes with")
                + ": it would never reject a result (declare the method to return " + remedy
                + ", or name a predicate of " + result + ")";
    }

    /** {@code "a A"}, {@code "a A or a B"}, {@code "a A, a B or a C"}. */
    private static String listed(List<String> types) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < types.size(); i++) {
            out.append(i == 0 ? "" : i == types.size() - 1 ? " or " : ", ").append("a ").append(types.get(i));
        }
        return out.toString();
    }

    /** {@code "a String"}, {@code "an AiMessage"}. */
    private static String withArticle(String simpleName) {
        return ("AEIOU".indexOf(simpleName.isEmpty() ? 'x' : simpleName.charAt(0)) >= 0 ? "an " : "a ") + simpleName;
    }
}
