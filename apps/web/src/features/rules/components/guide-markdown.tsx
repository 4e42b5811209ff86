import { EuiMarkdownFormat } from '@elastic/eui';

/** The rule's investigation guide rendered from its Markdown (links, lists, code and quotes as written). */
export default function GuideMarkdown({ markdown }: { markdown: string }) {
  return (
    <EuiMarkdownFormat textSize="s" data-test-subj="rule-guide">
      {markdown}
    </EuiMarkdownFormat>
  );
}
