"""The roster view: who is on call now and next, people and expertise, schedule timelines."""
