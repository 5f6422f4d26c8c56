import { definePlugin } from "../../../core/plugin/define";
import { FileOutput } from "./file-output";
import { fileSchema } from "./schema";

export default definePlugin({
  name: "file",
  kind: "output",
  description: "Appends results to a file as JSON lines.",
  schema: fileSchema,
  create: FileOutput,
});
