/**
 * English stop words: function words that say nothing about a note's topic
 * (after the common lists of NLTK and scikit-learn, trimmed), plus words that
 * notes in a workshop use about everything ("think", "need", "maybe").
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  `a about above after again against all almost also although always am among an and another any
  anyone anything are aren around as at be became because been before being below between both but
  by can cannot could couldn did didn do does doesn doing don done down during each either else
  enough etc even ever every few for from further get gets getting give go going got had hadn has
  hasn have haven having he her here hers herself him himself his how however i if in into is isn it
  its itself just least less let like made make makes making many may me might more most much must
  my myself need needs neither no nor not now of off often on once one only or other others our
  ours ourselves out over own per perhaps please quite rather really same say says shall she should
  shouldn since so some something still such than that the their theirs them themselves then there
  these they thing things think this those though through thus to too under until up upon us use
  used using very via was wasn way we well were weren what whatever when where whether which while
  who whom whose why will with within without won would wouldn yes yet you your yours yourself
  yourselves maybe lot lots want wants good better best new great idea ideas around able`
    .split(/\s+/)
    .filter((w) => w !== ''),
);
