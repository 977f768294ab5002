package dev.berth.crds.stack;

/** How a value a person wrote is quoted back in a message: control characters made visible, and bounded. */
final class Texts {
    /** Long enough to recognise the value, short enough for one line. */
    private static final int MAX_SHOWN = 80;

    private Texts() {
    }

    /** {@code text} with control characters as {@code \\uXXXX}, cut after {@value #MAX_SHOWN} characters. */
    static String shown(String text) {
        StringBuilder out = new StringBuilder();
        int end = Math.min(text.length(), MAX_SHOWN);
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (text.length() > MAX_SHOWN) {
            out.append("... (").append(text.length()).append(" characters)");
        }
        return out.toString();
    }
}
