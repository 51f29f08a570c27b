package dev.rebound.ltw.generated;

import java.util.function.IntSupplier;

/**
 * A bean for {@link GreetingChat} that overrides its woven default {@code greet} and calls it with {@code
 * GreetingChat.super}; {@link #getAsInt} counts the calls of {@code ask}. Its class file is defined again as a hidden
 * class ({@code OverObject.hidden}), which the agent never sees: a class no weaver reached, as one compiled by javac
 * alone against an API module ajc wove.
 */
public class SuperCallingGreeter implements GreetingChat, IntSupplier {
    private int calls;

    @Override
    public String ask(String q) {
        calls++;
        throw new IllegalStateException("greeter down");
    }

    @Override
    public String greet(String q) {
        return GreetingChat.super.greet(q);
    }

    @Override
    public int getAsInt() {
        return calls;
    }
}
