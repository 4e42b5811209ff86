import { EuiDescriptionList, EuiLink, EuiSkeletonText, EuiPanel, EuiSpacer, EuiText, EuiTitle } from '@elastic/eui';
import type { Threat } from '@execwatch/api';
import { useAttackTechniqueQuery } from '../api/use-attack-technique-query';
import { techniqueUrl } from '../technique-url';

function TechniqueFacts({ id, name, reference, tactic }: { id: string; name: string; reference: string; tactic: Threat['tactic'] }) {
  const facts = useAttackTechniqueQuery(id);
  return (
    <EuiPanel hasBorder paddingSize="m" data-test-subj="attack-technique" data-technique-id={id}>
      <EuiTitle size="xs">
        <h3>
          <EuiLink href={reference || techniqueUrl(id)} target="_blank" external>
            {id} {name}
          </EuiLink>
        </h3>
      </EuiTitle>
      <EuiText size="xs" color="subdued">
        Tactic:{' '}
        <EuiLink href={tactic.reference} target="_blank" external>
          {tactic.id} {tactic.name}
        </EuiLink>
      </EuiText>
      <EuiSpacer size="s" />
      {facts.data && facts.data.tactics.length > 0 && (
        <EuiText size="xs" color="subdued">
          Platforms: {facts.data.platforms.join(', ') || '—'}
        </EuiText>
      )}
      {facts.isPending ? (
        <EuiSkeletonText lines={3} />
      ) : facts.data ? (
        <>
          {facts.data.description && (
            <EuiText size="s">
              <p>{facts.data.description}</p>
            </EuiText>
          )}
          {facts.data.mitigations && facts.data.mitigations.length > 0 && (
            <>
              <EuiSpacer size="s" />
              <EuiTitle size="xxs">
                <h4>Mitigations</h4>
              </EuiTitle>
              <EuiDescriptionList
                compressed
                type="column"
                columnWidths={[1, 3]}
                listItems={facts.data.mitigations.map((m) => ({
                  title: (
                    <EuiLink href={m.url} target="_blank" external>
                      {m.id} {m.name}
                    </EuiLink>
                  ),
                  description: m.description ?? '',
                }))}
                data-test-subj="attack-mitigations"
              />
            </>
          )}
          {facts.data.detection && facts.data.detection.length > 0 && (
            <>
              <EuiSpacer size="s" />
              <EuiTitle size="xxs">
                <h4>Detection data sources</h4>
              </EuiTitle>
              <EuiDescriptionList
                compressed
                type="column"
                columnWidths={[1, 3]}
                listItems={facts.data.detection.map((d) => ({
                  title: (
                    <EuiLink href={d.url} target="_blank" external>
                      {d.id} {d.name}
                      {d.component ? `: ${d.component}` : ''}
                    </EuiLink>
                  ),
                  description: d.description ?? '',
                }))}
              />
            </>
          )}
        </>
      ) : (
        <EuiText size="s" color="subdued">
          <p>
            No further ATT&CK details are stored for {id}; see{' '}
            <EuiLink href={reference || techniqueUrl(id)} target="_blank" external>
              attack.mitre.org
            </EuiLink>
            .
          </p>
        </EuiText>
      )}
    </EuiPanel>
  );
}

/** The rule's MITRE ATT&CK mapping, each technique with its facts, mitigations and data sources. */
export function AttackPanel({ threat }: { threat: Threat[] }) {
  if (threat.length === 0) {
    return (
      <EuiText size="s" color="subdued">
        <p>This rule is not mapped to MITRE ATT&CK.</p>
      </EuiText>
    );
  }
  const techniques = threat.flatMap((t) => (t.technique ?? []).map((tech) => ({ tech, tactic: t.tactic })));
  // T1609 first: it is what this dashboard is about.
  techniques.sort((a, b) => Number(b.tech.id === 'T1609') - Number(a.tech.id === 'T1609'));
  return (
    <div data-test-subj="attack-panel">
      {techniques.map(({ tech, tactic }) => (
        <div key={tech.id}>
          <TechniqueFacts id={tech.id} name={tech.name} reference={tech.reference} tactic={tactic} />
          {(tech.subtechnique ?? []).map((sub) => (
            <EuiText size="xs" key={sub.id} style={{ marginLeft: 16, marginTop: 4 }}>
              Sub-technique:{' '}
              <EuiLink href={sub.reference} target="_blank" external>
                {sub.id} {sub.name}
              </EuiLink>
            </EuiText>
          ))}
          <EuiSpacer size="m" />
        </div>
      ))}
    </div>
  );
}
