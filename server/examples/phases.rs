use std::time::Instant;
use blueprint_grammars::*;
fn main() {
    let text = blueprint_server::synthetic::large_blueprint(2000);
    let edited = blueprint_server::synthetic::edit_one_component(&text, "x");
    for _ in 0..3 {
        let t_ts = 0;
        let t = Instant::now();
        let parsed = yaml::parse(&text);
        let t_parse = t.elapsed();
        let t = Instant::now();
        let re = yaml::reparse(&parsed, &text, &edited);
        let t_reparse = t.elapsed();
        let t = Instant::now();
        let bp = model::lower(parsed.root.as_ref(), &text);
        let t_lower = t.elapsed();
        let t = Instant::now();
        let mut out = vec![];
        blueprint_server::analysis::structure::check_structure(parsed.root.as_ref().unwrap(), &mut out);
        let t_struct = t.elapsed();
        let t = Instant::now();
        let d = blueprint_server::analysis::check(&SourceText::new(text.clone()), &Default::default());
        let t_all = t.elapsed();
        println!("parse+build {t_parse:?} reparse+build {t_reparse:?} lower {t_lower:?} structure {t_struct:?} all {t_all:?} ({} diags, {} comps) {}", d.len(), bp.system.unwrap().components.len(), re.errors.len());
    }
}
