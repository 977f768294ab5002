package dev.berth.crds;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a multi-document YAML file at its {@code ---} and {@code ...} lines. Each document keeps its own original
 * text (to store in etcd) and knows where it starts in the file (so errors point at file lines).
 */
public final class DocumentSplitter {
    /**
     * One document that has content.
     *
     * @param number    1-based among the non-empty documents of the file, for "(document 2)"
     * @param firstLine file line of the first line of {@code parseText}
     * @param parseText the text to parse: the document with its separator blanked, so columns stay right
     * @param yaml      the document as written, without a separator line that carries nothing else
     * @param yamlLine  file line where {@code yaml} starts
     */
    public record Document(int number, int firstLine, String parseText, String yaml, int yamlLine) {
    }

    private DocumentSplitter() {
    }

    public static List<Document> split(String text) {
        var documents = new ArrayList<Document>();
        List<String> lines = linesWithEndings(text);
        var parse = new StringBuilder();
        var yaml = new StringBuilder();
        int firstLine = 1;
        int yamlLine = 1;
        boolean content = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int lineNumber = i + 1;
            String marker = marker(line);
            if (marker != null) {
                if (content) {
                    documents.add(new Document(documents.size() + 1, firstLine, parse.toString(), yaml.toString(),
                            yamlLine));
                }
                parse.setLength(0);
                yaml.setLength(0);
                content = false;
                firstLine = lineNumber;
                String blanked = " ".repeat(3) + line.substring(3);
                parse.append(blanked);
                if (isBlankOrComment(blanked) || marker.equals("...")) {
                    yamlLine = lineNumber + 1;
                } else {
                    // "--- {a: 1}" puts content on the separator line; keep it, minus the marker.
                    yaml.append(blanked);
                    yamlLine = lineNumber;
                    content = true;
                }
                continue;
            }
            String parseLine = line.startsWith("%") ? "\n" : line; // directives only matter to the YAML version
            parse.append(parseLine);
            yaml.append(line);
            content |= !isBlankOrComment(parseLine);
        }
        if (content) {
            documents.add(new Document(documents.size() + 1, firstLine, parse.toString(), yaml.toString(), yamlLine));
        }
        return documents;
    }

    /** "---" or "..." at column 1, alone or followed by white space; anything else is content. */
    private static String marker(String line) {
        for (String marker : new String[] {"---", "..."}) {
            if (line.startsWith(marker)
                    && (line.length() == 3 || Character.isWhitespace(line.charAt(3)))) {
                return marker;
            }
        }
        return null;
    }

    private static boolean isBlankOrComment(String line) {
        String trimmed = line.strip();
        return trimmed.isEmpty() || trimmed.startsWith("#");
    }

    private static List<String> linesWithEndings(String text) {
        var lines = new ArrayList<String>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                lines.add(text.substring(start, i + 1));
                start = i + 1;
            }
        }
        if (start < text.length()) {
            lines.add(text.substring(start));
        }
        return lines;
    }
}
