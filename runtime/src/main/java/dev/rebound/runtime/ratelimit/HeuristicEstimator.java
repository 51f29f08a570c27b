package dev.rebound.runtime.ratelimit;

import dev.rebound.runtime.langchain4j.Langchain4jTokens;

/** {@link TokenEstimator#heuristic()}: characters / 4, plus 4 per message. */
enum HeuristicEstimator implements TokenEstimator {
    INSTANCE;

    static final int CHARS_PER_TOKEN = 4;
    static final int TOKENS_PER_MESSAGE = 4;
    private static final boolean LANGCHAIN4J = langchain4jOnClassPath();

    @Override
    public long promptTokens(Object[] arguments) {
        long tokens = 0;
        if (arguments != null) {
            for (Object a : arguments) {
                tokens += of(a, 0);
            }
        }
        return tokens;
    }

    static long ofText(CharSequence text) {
        return (text.length() + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
    }

    private static long of(Object a, int depth) {
        if (a == null || depth > 3) {
            return 0;
        }
        if (a instanceof CharSequence) {
            return ofText((CharSequence) a);
        }
        if (LANGCHAIN4J) {
            CharSequence text = Langchain4jTokens.messageText(a);
            if (text != null) {
                return ofText(text) + TOKENS_PER_MESSAGE;
            }
            Iterable<?> messages = Langchain4jTokens.requestMessages(a);
            if (messages != null) {
                return ofAll(messages, depth);
            }
        }
        if (a instanceof Iterable) {
            return ofAll((Iterable<?>) a, depth);
        }
        if (a instanceof Object[]) {
            long sum = 0;
            for (Object o : (Object[]) a) {
                sum += of(o, depth + 1);
            }
            return sum;
        }
        return 0;
    }

    private static long ofAll(Iterable<?> all, int depth) {
        long sum = 0;
        for (Object o : all) {
            sum += of(o, depth + 1);
        }
        return sum;
    }

    /** Resolving a class literal fails with a LinkageError when the optional library is absent. */
    private static boolean langchain4jOnClassPath() {
        try {
            return dev.langchain4j.model.chat.request.ChatRequest.class.getName() != null;
        } catch (LinkageError absent) {
            return false;
        }
    }

    static boolean langchain4jPresent() {
        return LANGCHAIN4J;
    }
}
