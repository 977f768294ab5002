package dev.berth.crds.compose;

import dev.berth.crds.yaml.ExpansionBudget;

import java.nio.file.Path;
import java.util.Map;

/**
 * What every part of one import needs to know: where problems go, the compose file's folder (relative paths),
 * the variables, the stack's name and how compose names became Berth names.
 *
 * @param services      compose service name → Berth service name
 * @param networks      compose network name → the name a service lists (declared stack network or existing network)
 * @param volumes       compose volume name → Docker volume name ({@code <stack>_<name>} as Compose names it)
 * @param defaultNetwork what a service without networks joins ({@code default} unless the file redefines it)
 * @param secrets       compose secret name → the Secret services refer to
 * @param configs       compose config name → the Config services refer to
 * @param manifestDirectory the folder a relative build context in the output is relative to
 * @param project       the Compose project name (volumes and Traefik's default rule use it; may differ from stack)
 * @param budget        what expansion may still produce in this import (env_file values count too)
 */
record ImportContext(Diagnostics diagnostics, Nodes nodes, Path directory, Map<String, String> environment, String stack,
                     Map<String, String> services, Map<String, String> networks, Map<String, String> volumes,
                     String defaultNetwork, Map<String, FileObjects.Declared> secrets,
                     Map<String, FileObjects.Declared> configs, Path manifestDirectory, String project,
                     ExpansionBudget budget) {
}
